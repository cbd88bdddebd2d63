//go:build linux

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// writeCatalog writes a catalog file into a fresh folder and returns its
// path.
func writeCatalog(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFrontlineAgentConfUnderAgent runs the agent configuration frontline
// generates under the real agent: configtest accepts it, the checks run,
// their reports reach the API with the memo on the host's checks, and a
// drill written by frontline drill sends its note.
func TestFrontlineAgentConfUnderAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs mackerel-agent")
	}
	agent := InstallAgent(t)
	frontline := testutil.Binary(t, "frontline")
	pluginDir := testutil.BinDir(t, "check-http-e2e", "check-process", "check-tls-expiry", "mackerel-plugin-app")
	down := testutil.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}), false)
	proc := testutil.StartProcess(t, testutil.UniqueName("fl-"))
	name := filepath.Base(proc.Path)
	cat := writeCatalog(t, fmt.Sprintf(`
defaults: {check_interval: 1m, max_check_attempts: 1, timeout: 5s}
services:
  shop:
    owner: "@shop-team"
    runbook: https://wiki.example.com/runbooks/shop
    roles: [web]
    http:
      - name: top
        url: %s/
        expect: {status: 200}
        action: "check the load balancer"
    process:
      - name: worker
        select: {name: %s}
        action: "systemctl restart worker"
    metrics: {process: [worker]}
`, down, name))
	confDir, drillDir := t.TempDir(), t.TempDir()
	host := []string{"--plugin-dir", pluginDir, "--drill-dir", drillDir, "--conf-dir", confDir}
	testutil.Run(t, frontline, nil, "check", cat).Expect(t, 0)
	testutil.Run(t, frontline, nil, append([]string{"agent-conf", cat, "--role", "shop:web", "-o", confDir}, host...)...).
		Expect(t, 0, "frontline-shop-web.conf", "frontline-shop-web.app.toml")
	testutil.Run(t, frontline, nil, append([]string{"drill", cat, "shop", "worker", "--status", "critical", "--note", "game day 3", "--for", "30m"}, host...)...).
		Expect(t, 0, filepath.Join(drillDir, "shop-process-worker"))

	api := NewFakeAPI(t, hostID)
	conf := WriteAgentConfig(t, api.URL, fmt.Sprintf("include = %q", filepath.Join(confDir, "*.conf")))
	ConfigTest(t, agent, conf)
	a := StartAgent(t, agent, conf)
	a.Await(t, 45*time.Second, "the reports of both checks", func() bool {
		_, top := api.CheckReport("shop-http-top")
		_, worker := api.CheckReport("shop-process-worker")
		return api.HostUpdated() && top && worker
	})
	top, _ := api.CheckReport("shop-http-top")
	if top.Status != "CRITICAL" || !strings.Contains(top.Message, "503") {
		t.Errorf("shop-http-top reported %s %q, want CRITICAL naming the 503", top.Status, top.Message)
	}
	worker, _ := api.CheckReport("shop-process-worker")
	if worker.Status != "CRITICAL" || !strings.Contains(worker.Message, "[DRILL] game day 3 (real: OK") {
		t.Errorf("shop-process-worker reported %s %q, want the drill's CRITICAL with its note and the real OK", worker.Status, worker.Message)
	}
	memos := map[string]string{}
	for _, u := range api.HostUpdates() {
		for _, c := range u.Checks {
			memos[c.Name] = c.Memo
		}
	}
	for check, action := range map[string]string{"shop-http-top": "check the load balancer", "shop-process-worker": "systemctl restart worker"} {
		for _, want := range []string{"owner: @shop-team", "action: " + action, "runbook: https://wiki.example.com/runbooks/shop"} {
			if !strings.Contains(memos[check], want) {
				t.Errorf("the host's check %s has memo %q, which lacks %q", check, memos[check], want)
			}
		}
	}
	testutil.Run(t, frontline, nil, append([]string{"drill", cat, "shop", "worker", "--clear"}, host...)...).Expect(t, 0, "removed")
	if _, err := os.Stat(filepath.Join(drillDir, "shop-process-worker")); !os.IsNotExist(err) {
		t.Errorf("drill --clear left the drill file: %v", err)
	}
}

// TestFrontlineExampleCatalogConfigTest holds every role's agent
// configuration of the example catalog against the agent's configtest.
func TestFrontlineExampleCatalogConfigTest(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs mackerel-agent")
	}
	agent := InstallAgent(t)
	frontline := testutil.Binary(t, "frontline")
	example := filepath.Join(testutil.ModuleRoot(t), "examples", "catalog", "catalog.yaml")
	out := t.TempDir()
	testutil.Run(t, frontline, nil, "generate", example, "-o", out, "--conf-dir", filepath.Join(out, "agent")).Expect(t, 0)
	confs, _ := filepath.Glob(filepath.Join(out, "agent", "*.conf"))
	if len(confs) < 3 {
		t.Fatalf("generate wrote %d agent configurations, want one per role: %q", len(confs), confs)
	}
	for _, c := range confs {
		t.Run(filepath.Base(c), func(t *testing.T) {
			conf := WriteAgentConfig(t, "http://127.0.0.1:9", fmt.Sprintf("include = %q", c))
			ConfigTest(t, agent, conf)
		})
	}
}

// MkrVersion is the mkr the monitors are pushed with.
const MkrVersion = "v0.65.0"

// TestFrontlineMonitorsWithMkr pushes the catalog's external monitors with
// the real mkr: diff shows them as appends beside the monitors the
// catalog does not own, push creates them, a second diff shows nothing,
// and a change to the catalog updates the monitor instead of adding one.
func TestFrontlineMonitorsWithMkr(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs mkr")
	}
	mkr := testutil.InstallCommand(t, "github.com/mackerelio/mkr", MkrVersion)
	frontline := testutil.Binary(t, "frontline")
	api := NewFakeAPI(t, hostID)
	api.AddMonitor(map[string]any{"type": "host", "name": "cpu high", "metric": "cpu%", "operator": ">", "warning": 80.0, "critical": 95.0, "duration": 5})
	catalogText := `
services:
  shop:
    owner: "@shop-team"
    runbook: https://wiki.example.com/runbooks/shop
    roles: [web]
    http:
      - name: top
        url: https://www.example.com/
        expect: {status: 200, contains: "<title>Shop"}
        critical: 5s
        cert_critical: 7
        external: true
        action: "ACTION"
`
	cat := writeCatalog(t, strings.Replace(catalogText, "ACTION", "check the load balancer", 1))
	dir := t.TempDir()
	pulled, monitors := filepath.Join(dir, "pulled.json"), filepath.Join(dir, "monitors.json")
	env := []string{"MACKEREL_APIKEY=fake-api-key"}
	runMkr := func(args ...string) string {
		t.Helper()
		r := testutil.Run(t, mkr, env, append([]string{"--apibase", api.URL}, args...)...)
		if r.Code != 0 {
			t.Fatalf("mkr %s: exit %d\n%s%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
		}
		return r.Stdout + r.Stderr
	}
	sync := func() {
		t.Helper()
		runMkr("monitors", "pull", "-F", pulled)
		testutil.Run(t, frontline, nil, "monitors", cat, "--merge", pulled, "-o", monitors).Expect(t, 0)
	}
	sync()
	diff := runMkr("monitors", "diff", "-F", monitors)
	if !strings.Contains(diff, "Summary: 0 modify, 1 append, 0 remove") || !strings.Contains(diff, "frontline shop top") {
		t.Fatalf("mkr monitors diff before the push:\n%s", diff)
	}
	runMkr("monitors", "push", "-F", monitors)
	sync()
	if diff := runMkr("monitors", "diff", "-F", monitors); !strings.Contains(diff, "Summary: 0 modify, 0 append, 0 remove") {
		t.Fatalf("mkr monitors diff after the push:\n%s", diff)
	}
	got := api.Monitors()
	if len(got) != 2 {
		t.Fatalf("after the push the API holds %d monitors, want the host one and frontline's: %v", len(got), got)
	}
	m := got[1]
	for k, want := range map[string]any{"name": "frontline shop top", "type": "external", "service": "shop", "url": "https://www.example.com/", "containsString": "<title>Shop", "expectedStatusCode": 200.0, "responseTimeCritical": 5000.0, "certificationExpirationCritical": 7.0} {
		if m[k] != want {
			t.Errorf("pushed monitor's %s is %v, want %v", k, m[k], want)
		}
	}
	if memo, _ := m["memo"].(string); !strings.Contains(memo, "action: check the load balancer") {
		t.Errorf("pushed monitor's memo %q lacks the action", memo)
	}

	// A change to the catalog updates the monitor in place.
	if err := os.WriteFile(cat, []byte(strings.Replace(catalogText, "ACTION", "fail over to the standby", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	sync()
	if diff := runMkr("monitors", "diff", "-F", monitors); !strings.Contains(diff, "Summary: 1 modify, 0 append, 0 remove") {
		t.Fatalf("mkr monitors diff after the catalog changed:\n%s", diff)
	}
	runMkr("monitors", "push", "-F", monitors)
	got = api.Monitors()
	if len(got) != 2 {
		t.Fatalf("after the update the API holds %d monitors, want 2", len(got))
	}
	if memo, _ := got[1]["memo"].(string); !strings.Contains(memo, "fail over to the standby") {
		b, _ := json.Marshal(got)
		t.Errorf("the update did not reach the monitor: %s", b)
	}
}
