//go:build linux

package release

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// The recovery action as mkr installed it: frontline agent-conf, told
// that the plugins are where mkr put them, writes an action that runs
// the installed binary; run as the agent runs it, it restarts once and
// the installed check reports what it did.
func init() {
	checks["mackerel-plugin-frontline-recover"] = func(t *testing.T, bin string) {
		dir := t.TempDir()
		runs := filepath.Join(dir, "runs")
		cat := testutil.WriteFile(t, "catalog.yaml", []byte(`
defaults: {max_check_attempts: 1}
services:
  shop:
    owner: "@shop-team"
    runbook: https://wiki.example.com/runbooks/shop
    roles: [web]
    process:
      - name: nginx
        select: {name: frontline-release-gone}
        action: "restarted automatically; if it fails, page the owner"
        recover: {run: "echo run >> `+runs+`", at_most: 3/h}
`))
		confDir := filepath.Join(dir, "conf.d")
		testutil.Run(t, testutil.Binary(t, "frontline"), nil, "agent-conf", cat, "--role", "shop:web", "-o", confDir,
			"--plugin-dir", filepath.Dir(bin), "--drill-dir", filepath.Join(dir, "drill"), "--conf-dir", confDir).Expect(t, 0)
		var conf struct {
			Plugin struct {
				Checks map[string]struct {
					Command []string
					Action  struct{ Command []string }
				}
			}
		}
		if _, err := toml.DecodeFile(filepath.Join(confDir, "frontline-shop-web.conf"), &conf); err != nil {
			t.Fatal(err)
		}
		item := conf.Plugin.Checks["shop-process-nginx"]
		if len(item.Action.Command) == 0 || item.Action.Command[0] != bin {
			t.Fatalf("the generated action runs %q, want the installed %s", item.Action.Command, bin)
		}
		env := []string{"MACKEREL_STATUS=CRITICAL", "MACKEREL_PREVIOUS_STATUS=OK", "MACKEREL_CHECK_MESSAGE=PROCESS CRITICAL: nginx"}
		testutil.Run(t, item.Action.Command[0], env, item.Action.Command[1:]...).Expect(t, 0)
		if got, _ := os.ReadFile(runs); string(got) != "run\n" {
			t.Errorf("the installed action ran the command %d times, want once", strings.Count(string(got), "run\n"))
		}
		testutil.Run(t, item.Command[0], nil, item.Command[1:]...).
			Expect(t, 2, "\nauto-recovery: ran 'echo run >> ", "exit 0; 1 of 3 this hour\n")
	}
}
