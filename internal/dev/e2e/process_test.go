//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
)

// processWorker runs the README's process block against a pattern that
// no process on the host matches: the worker is gone. The report must be
// CRITICAL with the block's memo, and the action must restart the
// service once: its `systemctl restart` becomes a line appended to a
// file of the test's.
//
// The block runs twice: as written (an array, which the agent execs) and
// with its command as a string, which the agent runs through `sh -c`. That
// shell, and the timeout it starts, fork and wait with the pattern in
// their command lines: the check must not count them.
func processWorker(t *testing.T, _ *fixture.PKI) scenario {
	const name = "process-worker"
	missing := fmt.Sprintf("frontline-e2e-gone-%d", os.Getpid())
	type copyOf struct{ name, restarts string }
	var copies []copyOf
	var replaces []map[string]string
	for _, suffix := range []string{"", "-wrapped"} {
		c := copyOf{name: name + suffix, restarts: filepath.Join(t.TempDir(), "restarts")}
		copies = append(copies, c)
		replace := map[string]string{
			"plugin.checks." + name:        "plugin.checks." + c.name,
			`sidekiq .* \\[app\\]`:         missing,
			"systemctl restart app-worker": "echo restarted >> " + c.restarts,
		}
		if suffix != "" {
			replace[`command = ["`] = `command = "timeout 25 `
			replace[`", "-p", "sidekiq .* \\[app\\]", "--label", "app-worker", "--min-age", "5m"]`] = ` -p '` + missing + `' --label app-worker --min-age 5m; exit $?"`
		}
		replaces = append(replaces, replace)
	}
	return scenario{
		copies: replaces,
		ready: func(api *FakeAPI, log string) bool {
			for _, c := range copies {
				if _, ok := api.CheckReport(c.name); !ok || !strings.Contains(log, fmt.Sprintf("Checker %q action stdout:", c.name)) {
					return false
				}
			}
			return true
		},
		check: func(t *testing.T, api *FakeAPI, block string) {
			for _, c := range copies {
				t.Run(c.name, func(t *testing.T) {
					r, _ := api.CheckReport(c.name)
					checkReportSource(t, block, name, r, api.HostID)
					message := "PROCESS CRITICAL: app-worker (-p '" + missing + "'): 0 processes, expected at least 1"
					checkStatus(t, r, "CRITICAL", []string{message + "\n", message})
					checkMemo(t, api, block, c.name)
					got, _ := os.ReadFile(c.restarts)
					if n := strings.Count(string(got), "restarted\n"); n < 1 {
						t.Errorf("the action restarted the service %d times, want at least once", n)
					}
				})
			}
		},
	}
}
