//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/recovery"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
)

// recoverNginx runs the recovery block of mackerel-plugin-frontline-recover's
// README: check-process finds no nginx, the agent reports CRITICAL and
// runs the action, which restarts the service once (its `systemctl
// restart` becomes a line appended to a file of the test's) and records
// the attempt in the state file the check reads.
func recoverNginx(t *testing.T, _ *fixture.PKI) scenario {
	const name = "shop-process-nginx"
	dir := t.TempDir()
	missing := fmt.Sprintf("frontline-e2e-nginx-%d", os.Getpid())
	restarts := filepath.Join(dir, "restarts")
	state := filepath.Join(dir, name+".recovery")
	return scenario{
		replace: map[string]string{
			`"-n", "nginx"`:                     `"-n", "` + missing + `"`,
			"systemctl restart nginx":           "echo restarted >> " + restarts + "; echo nginx started",
			"/var/lib/mackerel-frontline/drill": dir,
		},
		ready: func(api *FakeAPI, _ string) bool {
			if _, ok := api.CheckReport(name); !ok {
				return false
			}
			s, err := recovery.Read(state)
			return err == nil && len(s.Attempts) > 0 && s.Attempts[0].Outcome != ""
		},
		check: func(t *testing.T, api *FakeAPI, block string) {
			r, _ := api.CheckReport(name)
			checkReportSource(t, block, name, r, api.HostID)
			checkStatusHas(t, r, "CRITICAL", strings.HasPrefix, "PROCESS CRITICAL: nginx (-n "+missing+"): 0 processes, expected at least 1")
			checkMemo(t, api, block, name)
			got, _ := os.ReadFile(restarts)
			if n := strings.Count(string(got), "restarted\n"); n != 1 {
				t.Errorf("the action restarted the service %d times after one CRITICAL run, want once", n)
			}
			s, _ := recovery.Read(state)
			if a := s.Attempts[0]; a.Outcome != "exit 0" || a.Last != "nginx started" || !strings.HasPrefix(a.Command, "echo restarted >> ") {
				t.Errorf("attempt recorded as %+v", a)
			}
		},
	}
}
