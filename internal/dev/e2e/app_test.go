//go:build linux

package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func init() { scenarios["app"] = app }

// appGraphs are the graph definitions the README's app block must send:
// every graph of its targets, with its unit and metric names.
var appGraphs = map[string]struct {
	unit    string
	metrics []string
}{
	"custom.app.tls_days":     {"float", []string{"custom.app.tls_days.*"}},
	"custom.app.tls_valid":    {"integer", []string{"custom.app.tls_valid.*"}},
	"custom.app.http_time.#":  {"milliseconds", []string{"custom.app.http_time.#.dns", "custom.app.http_time.#.connect", "custom.app.http_time.#.tls", "custom.app.http_time.#.ttfb", "custom.app.http_time.#.total"}},
	"custom.app.http_status":  {"integer", []string{"custom.app.http_status.*"}},
	"custom.app.http_up":      {"integer", []string{"custom.app.http_up.*"}},
	"custom.app.proc_count":   {"integer", []string{"custom.app.proc_count.*"}},
	"custom.app.proc_cpu":     {"percentage", []string{"custom.app.proc_cpu.*"}},
	"custom.app.proc_rss":     {"bytes", []string{"custom.app.proc_rss.*"}},
	"custom.app.proc_fds":     {"integer", []string{"custom.app.proc_fds.*"}},
	"custom.app.proc_threads": {"integer", []string{"custom.app.proc_threads.*"}},
	"custom.app.proc_uptime":  {"seconds", []string{"custom.app.proc_uptime.*"}},
	"custom.app.host":         {"percentage", []string{"custom.app.host.cpu_used", "custom.app.host.mem_used"}},
}

// app runs the README's metric block: its www host is a TLS fixture whose
// certificate has 40.5 days left, its api endpoint a loopback HTTPS app,
// and its nginx group two idle processes of a name of the test's. The
// agent must send the graph definitions at start, and `mackerel-agent
// once`, run twice so that the second has CPU figures, must show every
// value.
func app(t *testing.T, pki *fixture.PKI) scenario {
	www := testutil.Leaf(t, pki, 40.5)
	wwwAddr := serveLocalhost(t, pki, www, "")
	api := testutil.ServeHTTPS(t, fixture.App{}.Handler(), []*fixture.Cert{testutil.Leaf(t, pki, 60.5), pki.Intermediate}, false)
	name := testutil.ProgramName("nginx-")
	_, path := testutil.RunProgramAs(t, "/bin/sleep", name, "3600")
	testutil.RunProgram(t, path, "3600")
	replace := map[string]string{
		"www.example.com":                wwwAddr,
		"https://api.example.com/health": api + "/ok",
		"name:nginx":                     "name:" + name,
	}
	return scenario{
		replace: replace,
		ready: func(api *FakeAPI, _ string) bool {
			return slices.ContainsFunc(api.GraphDefs(), func(g GraphDef) bool { return strings.HasPrefix(g.Name, "custom.app.") })
		},
		check: func(t *testing.T, api *FakeAPI, block string) {
			if !strings.Contains(block, "[plugin.metrics.app]\n") {
				t.Fatalf("the block has no [plugin.metrics.app]:\n%s", block)
			}
			got := map[string]GraphDef{}
			for _, g := range api.GraphDefs() {
				if strings.HasPrefix(g.Name, "custom.app.") {
					got[g.Name] = g
				}
			}
			for name, want := range appGraphs {
				g, ok := got[name]
				if !ok {
					t.Errorf("no graph definition %s reached the API; got %v", name, got)
					continue
				}
				var metrics []string
				for _, m := range g.Metrics {
					metrics = append(metrics, m.Name)
				}
				if g.Unit != want.unit || !slices.Equal(metrics, want.metrics) {
					t.Errorf("graph %s: unit %s, metrics %v; want %s, %v", name, g.Unit, metrics, want.unit, want.metrics)
				}
			}
			if len(got) != len(appGraphs) {
				t.Errorf("graph definitions %v, want exactly %d", got, len(appGraphs))
			}

			agent := InstallAgent(t)
			conf := WriteAgentConfig(t, api.URL, Runnable(t, block, replace))
			env := append(trustOnly(t, pki.Root), "MACKEREL_PLUGIN_WORKDIR="+t.TempDir())
			first := Once(t, agent, conf, env...)
			if _, ok := first["custom.app.proc_cpu.web"]; ok {
				t.Errorf("the first run printed proc_cpu, with no earlier sample")
			}
			time.Sleep(time.Second)
			values := Once(t, agent, conf, env...)
			in := func(name string, lo, hi float64) {
				t.Helper()
				v, ok := values[name]
				switch {
				case !ok:
					t.Errorf("mackerel-agent once shows no %s", name)
				case v < lo || v > hi:
					t.Errorf("%s = %v, want %v..%v", name, v, lo, hi)
				}
			}
			in("custom.app.tls_days.www", 40.4, 40.5)
			in("custom.app.tls_valid.www", 1, 1)
			for _, p := range []string{"dns", "connect", "tls", "ttfb", "total"} {
				in("custom.app.http_time.api."+p, 0, 5000)
			}
			in("custom.app.http_status.api", 200, 200)
			in("custom.app.http_up.api", 1, 1)
			in("custom.app.proc_count.web", 2, 2)
			in("custom.app.proc_cpu.web", 0, 5)
			in("custom.app.proc_rss.web", 2*64<<10, 2*64<<20)
			in("custom.app.proc_fds.web", 2, 2*64)
			in("custom.app.proc_threads.web", 2, 2)
			in("custom.app.proc_uptime.web", 0, 600)
			in("custom.app.host.cpu_used", 0, 100)
			in("custom.app.host.mem_used", 0.01, 100)
			n := 0
			for k := range values {
				if strings.HasPrefix(k, "custom.app.") {
					n++
				}
			}
			if n != 17 {
				t.Errorf("%d custom.app values, want 17: %v", n, values)
			}
		},
	}
}
