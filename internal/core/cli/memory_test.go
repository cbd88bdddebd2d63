package cli_test

import (
	"runtime/debug"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
)

// The watchdog lowers the collector's memory limit and never raises it:
// mackerel-plugin-app sets a lower one to keep its heap small, and a
// GOMEMLIMIT is the user's.
func TestMemoryLimitOnlyLowered(t *testing.T) {
	const low = 12 << 20
	prev := debug.SetMemoryLimit(low)
	defer debug.SetMemoryLimit(prev)
	_, stop := cli.WatchMemory(1 << 40)
	// Long past the 20 ms after which the watchdog sets its limit.
	time.Sleep(200 * time.Millisecond)
	stop()
	if got := debug.SetMemoryLimit(-1); got != low {
		t.Errorf("memory limit %d MiB after the watchdog started, want the %d MiB set before it", got>>20, low>>20)
	}
}
