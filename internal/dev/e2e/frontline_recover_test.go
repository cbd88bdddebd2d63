//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// TestFrontlineRecoverUnderAgent runs what frontline agent-conf writes for
// items with recover: under the real agent, for three services:
//   - once: its process is gone; the action starts it again, and the next
//     report is OK;
//   - always: its "restart" never brings it back; the action runs at_most
//     times, then the CRITICAL report says the budget is spent and
//     nothing more runs;
//   - drilled: gone too, but in a drill: nothing runs.
//
// The agent runs a check every minute at the fastest, so this test takes
// about three minutes.
func TestFrontlineRecoverUnderAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs mackerel-agent")
	}
	agent := InstallAgent(t)
	frontline := testutil.Binary(t, "frontline")
	pluginDir := testutil.BinDir(t, "check-process", "mackerel-plugin-frontline-recover")

	work := t.TempDir()
	// once: a process that was running, then died.
	once := testutil.StartProcess(t, testutil.UniqueName("rc-"))
	once.Stop()
	oncePID := filepath.Join(work, "once.pid")
	t.Cleanup(func() {
		if data, err := os.ReadFile(oncePID); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	alwaysName, drilledName := testutil.UniqueName("rc-"), testutil.UniqueName("rc-")
	counts := map[string]string{"once": filepath.Join(work, "once.runs"), "always": filepath.Join(work, "always.runs"), "drilled": filepath.Join(work, "drilled.runs")}
	cat := writeCatalog(t, fmt.Sprintf(`
defaults: {check_interval: 1m, max_check_attempts: 1, timeout: 5s}
services:
  shop:
    owner: "@shop-team"
    runbook: https://wiki.example.com/runbooks/shop
    roles: [web]
    process:
      - name: once
        select: {name: %s}
        action: "restarted automatically; if it fails, page the owner"
        recover: {run: "echo run >> %s; nohup %s >/dev/null 2>&1 & echo $! > %s", at_most: 3/h}
      - name: always
        select: {name: %s}
        action: "restarted automatically; if it fails, page the owner"
        recover: {run: "echo run >> %s; echo still down; exit 1", at_most: 2/h}
      - name: drilled
        select: {name: %s}
        action: "restarted automatically; if it fails, page the owner"
        recover: {run: "echo run >> %s", at_most: 3/h}
`, filepath.Base(once.Path), counts["once"], once.Path, oncePID, alwaysName, counts["always"], drilledName, counts["drilled"]))
	confDir, drillDir := t.TempDir(), filepath.Join(t.TempDir(), "drill")
	host := []string{"--plugin-dir", pluginDir, "--drill-dir", drillDir, "--conf-dir", confDir}
	testutil.Run(t, frontline, nil, "check", cat).Expect(t, 0)
	testutil.Run(t, frontline, nil, append([]string{"agent-conf", cat, "--role", "shop:web", "-o", confDir}, host...)...).Expect(t, 0)
	testutil.Run(t, frontline, nil, append([]string{"drill", cat, "shop", "drilled", "--status", "critical", "--note", "game day 3", "--for", "30m"}, host...)...).Expect(t, 0)

	api := NewFakeAPI(t, hostID)
	conf := WriteAgentConfig(t, api.URL, fmt.Sprintf("include = %q", filepath.Join(confDir, "*.conf")))
	ConfigTest(t, agent, conf)
	a := StartAgent(t, agent, conf)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent log:\n%s\nrequests:\n%s", a.Log(), api.Dump())
		}
	})
	runs := func(item string) int {
		data, _ := os.ReadFile(counts[item])
		return strings.Count(string(data), "run\n")
	}
	a.Await(t, 200*time.Second, "the OK after the restart, and the report that the budget is spent", func() bool {
		r, _ := api.LastCheckReport("shop-process-once")
		spent, _ := api.LastCheckReport("shop-process-always")
		return r.Status == "OK" && strings.Contains(spent.Message, "budget spent")
	})
	a.Stop()
	// The agent runs actions in the background and does not wait for
	// them when it stops: one still writing its state would race the
	// removal of the test's folders.
	awaitNoProcessNaming(t, drillDir, 30*time.Second)

	r, _ := api.LastCheckReport("shop-process-once")
	if runs("once") != 1 || !strings.Contains(r.Message, "auto-recovery: ran 'echo run >> ") || !strings.Contains(r.Message, "exit 0; 1 of 3 this hour") {
		t.Errorf("once: the command ran %d times (want 1); last report %s %q, want OK saying what recovery did", runs("once"), r.Status, r.Message)
	}
	spent, _ := api.LastCheckReport("shop-process-always")
	if runs("always") != 2 || spent.Status != "CRITICAL" || !strings.Contains(spent.Message, "exit 1 (last line: still down); budget spent: 2 of 2 this hour, nothing more runs before ") {
		t.Errorf("always: the command ran %d times (want 2); last report %s %q", runs("always"), spent.Status, spent.Message)
	}
	drill, _ := api.LastCheckReport("shop-process-drilled")
	if runs("drilled") != 0 || !strings.Contains(drill.Message, "[DRILL] game day 3") || strings.Contains(drill.Message, "auto-recovery") {
		t.Errorf("drilled: the command ran %d times during a drill (want 0); report %s %q", runs("drilled"), drill.Status, drill.Message)
	}
}

// awaitNoProcessNaming waits until no process has s in its command line,
// at most timeout.
func awaitNoProcessNaming(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		found := false
		cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, f := range cmdlines {
			if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), s) {
				found = true
				break
			}
		}
		if !found {
			return
		}
	}
	t.Logf("a process still names %s after %s", s, timeout)
}
