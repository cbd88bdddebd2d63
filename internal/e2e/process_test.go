//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/fixture"
)

// processWorker runs the README's process block against a pattern that
// no process on the host matches: the worker is gone. The report must be
// CRITICAL with the block's memo, and the action must restart the
// service once: its `systemctl restart` becomes a line appended to a
// file of the test's.
func processWorker(t *testing.T, _ *fixture.PKI) scenario {
	const name = "process-worker"
	missing := fmt.Sprintf("frontline-e2e-gone-%d", os.Getpid())
	restarts := filepath.Join(t.TempDir(), "restarts")
	return scenario{
		replace: map[string]string{
			`sidekiq .* \\[app\\]`:         missing,
			"systemctl restart app-worker": "echo restarted >> " + restarts,
		},
		ready: func(api *FakeAPI, log string) bool {
			_, ok := api.CheckReport(name)
			return ok && strings.Contains(log, fmt.Sprintf("Checker %q action stdout:", name))
		},
		check: func(t *testing.T, api *FakeAPI, block string) {
			r, _ := api.CheckReport(name)
			checkReportSource(t, block, name, r, api.HostID)
			message := "PROCESS CRITICAL: app-worker (-p '" + missing + "'): 0 processes, expected at least 1"
			checkStatus(t, r, "CRITICAL", []string{message + "\n", message})
			checkMemo(t, api, block, name)
			got, _ := os.ReadFile(restarts)
			if n := strings.Count(string(got), "restarted\n"); n < 1 {
				t.Errorf("the action restarted the service %d times, want at least once", n)
			}
		},
	}
}
