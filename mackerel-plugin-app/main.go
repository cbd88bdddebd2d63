// mackerel-plugin-app graphs the targets the checks alert on: days left on
// every certificate, the latency phases of every endpoint, the health of
// every process group, measured the way the checks measure them.
package main

import (
	"os"
	"runtime/debug"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/appmetrics"
)

// memoryLimit is where the collector starts to run. A run lives for tens
// of milliseconds and allocates a few MiB even on a host with thousands of
// processes: collecting garbage as it goes (the default) costs a fifth of
// the run's CPU, so it is left until the heap nears this limit, which keeps
// the process well under the 20 MiB it may use.
const memoryLimit = 12 << 20

func main() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(memoryLimit)
	// What a run writes to stderr as it goes is masked like what it
	// prints at the end: both pass through the process's masker.
	os.Exit(cli.RunMetric(appmetrics.Command, appmetrics.NewOptions(secret.Process().Writer(os.Stderr)), os.Args[1:], os.Stdout, os.Stderr))
}
