//go:build linux

package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// docBlocks returns the sh blocks of docs/catalog.md that follow the
// marker line <!-- NAME -->, in order, without their fences.
func docBlocks(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testutil.ModuleRoot(t), "frontline", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var blocks []string
	for i := 0; i < len(lines); i++ {
		if lines[i] != "<!-- "+name+" -->" {
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "```sh" {
			t.Fatalf("docs/catalog.md:%d: the marker %s must be followed by a ```sh block", i+1, name)
		}
		var b []string
		for i += 2; i < len(lines) && lines[i] != "```"; i++ {
			b = append(b, lines[i])
		}
		blocks = append(blocks, strings.Join(b, "\n")+"\n")
	}
	if len(blocks) == 0 {
		t.Fatalf("docs/catalog.md marks no %s block", name)
	}
	return blocks
}

// replaceAll replaces each key of replace by its value, longest keys
// first; each key must occur, or the document no longer says what the
// test expects.
func replaceAll(t *testing.T, text string, replace map[string]string) string {
	t.Helper()
	keys := make([]string, 0, len(replace))
	for k := range replace {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) > len(keys[j]) || len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	for _, k := range keys {
		if !strings.Contains(text, k) {
			t.Fatalf("docs/catalog.md no longer contains %q, which the test replaces", k)
		}
		text = strings.ReplaceAll(text, k, replace[k])
	}
	return text
}

func runScript(t *testing.T, dir, script string, env []string) string {
	t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\nscript:\n%s\noutput:\n%s", err, script, out)
	}
	return string(out)
}

// TestCatalogDocWalkthrough runs the commands of docs/catalog.md in order:
// from an empty repository to the real agent running the generated checks
// against the fake API, then the CI recipe with the real mkr.
func TestCatalogDocWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs mackerel-agent")
	}
	agent := InstallAgent(t)
	mkr := testutil.InstallCommand(t, "github.com/mackerelio/mkr", MkrVersion)
	binDir := testutil.BinDir(t, "frontline", "check-http-e2e", "check-process", "mackerel-plugin-app")
	down := testutil.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}), false)
	proc := testutil.StartProcess(t, testutil.UniqueName("fl-"))

	api := NewFakeAPI(t, hostID)
	conf := WriteAgentConfig(t, api.URL)
	etc := filepath.Dir(conf)
	work := t.TempDir()
	env := []string{
		"PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=ops", "GIT_AUTHOR_EMAIL=ops@example.com", "GIT_COMMITTER_NAME=ops", "GIT_COMMITTER_EMAIL=ops@example.com",
		"MACKEREL_APIKEY=fake-api-key",
	}
	walkthrough := replaceAll(t, strings.Join(docBlocks(t, "walkthrough"), ""), map[string]string{
		"https://www.example.com/":          down + "/",
		"{name: nginx}":                     "{name: " + filepath.Base(proc.Path) + "}",
		"/opt/mackerel-agent/plugins/bin":   binDir,
		"/var/lib/mackerel-frontline/drill": t.TempDir(),
		"/etc/mackerel-agent":               etc,
		"sudo mkr plugin install frontline-sre/mackerel-frontline@vX.Y.Z": "true # the release test installs the zip with mkr",
		"sudo systemctl restart mackerel-agent":                           "true # the test starts the agent",
		"sudo mackerel-agent":                                             agent,
		"sudo ":                                                           "",
	})
	runScript(t, work, walkthrough, env)
	ops := filepath.Join(work, "ops")

	ConfigTest(t, agent, conf)
	a := StartAgent(t, agent, conf)
	a.Await(t, 45*time.Second, "the report of shop-http-top and the host's checks", func() bool {
		_, ok := api.CheckReport("shop-http-top")
		return ok && api.HostUpdated()
	})
	if r, _ := api.CheckReport("shop-http-top"); r.Status != "CRITICAL" || !strings.Contains(r.Message, "503") {
		t.Errorf("shop-http-top reported %s %q", r.Status, r.Message)
	}
	var checks []string
	for _, u := range api.HostUpdates() {
		for _, c := range u.Checks {
			if !slices.Contains(checks, c.Name) {
				checks = append(checks, c.Name)
			}
			if !strings.Contains(c.Memo, "runbook: https://wiki.example.com/runbooks/shop") {
				t.Errorf("check %s has memo %q", c.Name, c.Memo)
			}
		}
	}
	slices.Sort(checks)
	if !slices.Equal(checks, []string{"shop-http-top", "shop-process-nginx"}) {
		t.Errorf("the host's checks are %q", checks)
	}

	ci := docBlocks(t, "ci")
	mkrCmd := map[string]string{"mkr monitors": mkr + " --apibase " + api.URL + " monitors"}
	out := runScript(t, ops, replaceAll(t, ci[0], mkrCmd), env)
	if !strings.Contains(out, "Summary: 0 modify, 1 append, 0 remove") || !strings.Contains(out, "frontline shop top") {
		t.Fatalf("the CI recipe's diff:\n%s", out)
	}
	runScript(t, ops, replaceAll(t, strings.Join(ci[1:], ""), mkrCmd), env)
	if m := api.Monitors(); len(m) != 1 || m[0]["name"] != "frontline shop top" {
		t.Fatalf("after the push the API holds %v", m)
	}
	out = runScript(t, ops, replaceAll(t, ci[0], mkrCmd), env)
	if !strings.Contains(out, "Summary: 0 modify, 0 append, 0 remove") {
		t.Fatalf("the CI recipe's diff after the push:\n%s", out)
	}

	// A catalog change without its generated files fails the recipe.
	catalog := filepath.Join(ops, "catalog.yaml")
	data, _ := os.ReadFile(catalog)
	os.WriteFile(catalog, []byte(strings.Replace(string(data), "restart nginx", "reload nginx", 1)), 0o644)
	r := testutil.Run(t, testutil.Binary(t, "frontline"), nil, "check", catalog, "--generated", filepath.Join(ops, "generated"))
	r.Expect(t, 1, "frontline-shop-web.conf", "differs from what the catalog generates now")
}
