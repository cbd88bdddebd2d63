package main

import (
	"encoding/json"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// run runs the built plugin with its state in workdir ("" for a folder of
// the test's own).
func run(t *testing.T, workdir string, args ...string) testutil.Result {
	t.Helper()
	if workdir == "" {
		workdir = t.TempDir()
	}
	return testutil.Run(t, testutil.Binary(t, "mackerel-plugin-app"),
		[]string{"MACKEREL_PLUGIN_WORKDIR=" + workdir, "MACKEREL_AGENT_PLUGIN_META="}, args...)
}

// metaRun runs the plugin as the agent does once at start.
func metaRun(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, testutil.Binary(t, "mackerel-plugin-app"), []string{"MACKEREL_AGENT_PLUGIN_META=1"}, args...)
}

// values parses a run's metric lines, failing the test for a line that is
// not name<TAB>value<TAB>epoch with the current epoch, or a name twice.
func values(t *testing.T, r testutil.Result) map[string]float64 {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.Code, r)
	}
	now := time.Now().Unix()
	got := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("line %q: want name<TAB>value<TAB>epoch", line)
		}
		if !regexp.MustCompile(`^[-a-zA-Z0-9_.]+$`).MatchString(f[0]) || strings.HasPrefix(f[0], "custom.") {
			t.Errorf("line %q: not a name Mackerel takes from a plugin", line)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("line %q: value %q", line, f[1])
		}
		epoch, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || epoch < now-60 || epoch > now+1 {
			t.Errorf("line %q: epoch %q is not now (%d)", line, f[2], now)
		}
		if _, dup := got[f[0]]; dup {
			t.Errorf("%s printed twice", f[0])
		}
		got[f[0]] = v
	}
	return got
}

// within asserts that name was printed with a value in [lo, hi].
func within(t *testing.T, got map[string]float64, name string, lo, hi float64) {
	t.Helper()
	v, ok := got[name]
	if !ok {
		t.Errorf("%s not printed; got %v", name, got)
		return
	}
	if v < lo || v > hi {
		t.Errorf("%s = %v, want %v..%v", name, v, lo, hi)
	}
}

func absent(t *testing.T, got map[string]float64, names ...string) {
	t.Helper()
	for _, n := range names {
		if v, ok := got[n]; ok {
			t.Errorf("%s = %v printed, want it left out", n, v)
		}
	}
}

// env is a PKI with its root where --ca-file reads it.
type env struct {
	pki    *fixture.PKI
	caFile string
}

func newEnv(t *testing.T) env {
	t.Helper()
	p := testutil.NewPKI(t)
	return env{pki: p, caFile: testutil.WriteFile(t, "ca.pem", fixture.PEM(p.Root))}
}

func (e env) serve(t *testing.T, days float64) string {
	t.Helper()
	return testutil.ServeChain(t, testutil.Leaf(t, e.pki, days), e.pki.Intermediate)
}

// idle starts n idle processes named alike, and returns the name.
func idle(t *testing.T, n int) string {
	t.Helper()
	name := testutil.ProgramName("mpa-idle-")
	_, path := testutil.RunProgramAs(t, "/bin/sleep", name, "3600")
	for range n - 1 {
		testutil.RunProgram(t, path, "3600")
	}
	return name
}

// busy starts a process that spins on a core, and returns its name.
func busy(t *testing.T) string {
	t.Helper()
	name := testutil.ProgramName("mpa-busy-")
	testutil.RunProgramAs(t, "/bin/sh", name, "-c", "while :; do :; done")
	return name
}

func requireProc(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("process groups need /proc")
	}
}

// One target of each kind, each figure within what the fixtures make it.
func TestValues(t *testing.T) {
	requireProc(t)
	e := newEnv(t)
	tlsAddr := e.serve(t, 20.5)
	web := testutil.ServeHTTP(t, fixture.App{}.Handler(), false)
	name := idle(t, 3)
	time.Sleep(1100 * time.Millisecond) // uptime counts whole seconds of age
	started := time.Now()
	got := values(t, run(t, "", "--ca-file", e.caFile, "--tls", "www="+tlsAddr, "--http", "web="+web+"/ok",
		"--process", "idle=name:"+name, "--process", "idle_re=^/.*/"+name+" 3600$", "--host-context"))
	within(t, got, "app.tls_days.www", 20.45, 20.5)
	within(t, got, "app.tls_valid.www", 1, 1)
	within(t, got, "app.http_status.web", 200, 200)
	within(t, got, "app.http_up.web", 1, 1)
	for _, p := range []string{"dns", "connect", "tls", "ttfb"} {
		within(t, got, "app.http_time.web."+p, 0, 5000)
	}
	within(t, got, "app.http_time.web.total", 0.001, 5000)
	for _, g := range []string{"idle", "idle_re"} {
		within(t, got, "app.proc_count."+g, 3, 3)
		within(t, got, "app.proc_rss."+g, 3*64<<10, 3*64<<20)
		within(t, got, "app.proc_threads."+g, 3, 3)
		within(t, got, "app.proc_fds."+g, 3, 3*64)
		within(t, got, "app.proc_uptime."+g, 1, 1+time.Since(started).Seconds()+2)
	}
	// A first run has no earlier sample to take CPU use from.
	absent(t, got, "app.proc_cpu.idle", "app.proc_cpu.idle_re")
	within(t, got, "app.host.cpu_used", 0, 100)
	within(t, got, "app.host.mem_used", 0.01, 100)
	if len(got) != 2+7+2*5+2 {
		t.Errorf("%d metrics printed, want %d:\n%v", len(got), 2+7+2*5+2, got)
	}
}

func TestPrefix(t *testing.T) {
	requireProc(t)
	got := values(t, run(t, "", "--prefix", "shop.app", "--process", "none=name:"+testutil.ProgramName("mpa-none-")))
	within(t, got, "shop.app.proc_count.none", 0, 0)
	// No process, no age.
	absent(t, got, "shop.app.proc_uptime.none")
}

// graphDefs is a meta run's output.
type graphDefs struct {
	Graphs map[string]struct {
		Label   string `json:"label"`
		Unit    string `json:"unit"`
		Metrics []struct {
			Name    string `json:"name"`
			Label   string `json:"label"`
			Stacked bool   `json:"stacked"`
		} `json:"metrics"`
	} `json:"graphs"`
}

func parseMeta(t *testing.T, r testutil.Result) graphDefs {
	t.Helper()
	header, body, ok := strings.Cut(r.Stdout, "\n")
	if r.Code != 0 || !ok || header != "# mackerel-agent-plugin" {
		t.Fatalf("meta run: want the header line, then JSON\n%s", r)
	}
	var defs graphDefs
	if err := json.Unmarshal([]byte(body), &defs); err != nil {
		t.Fatalf("meta run: %v\n%s", err, r)
	}
	return defs
}

// covering returns the graph whose key and metric name match a printed
// metric, '#' and '*' standing for one segment, as the agent matches them.
func covering(defs graphDefs, name string) (string, string, bool) {
	segs := strings.Split(name, ".")
	for key, g := range defs.Graphs {
		for _, m := range g.Metrics {
			pattern := strings.Split(key+"."+m.Name, ".")
			if len(pattern) != len(segs) {
				continue
			}
			match := true
			for i, p := range pattern {
				if p != "#" && p != "*" && p != segs[i] {
					match = false
					break
				}
			}
			if match {
				return key, g.Unit, true
			}
		}
	}
	return "", "", false
}

// Every metric a run prints has a graph definition, with the unit the
// spec gives its kind; http_time is one graph per target, phases stacked.
func TestGraphDefinitionsCoverEveryMetric(t *testing.T) {
	requireProc(t)
	e := newEnv(t)
	tlsAddr := e.serve(t, 40.5)
	web := testutil.ServeHTTP(t, fixture.App{}.Handler(), false)
	busyName := busy(t)
	workdir := t.TempDir()
	args := []string{"--ca-file", e.caFile, "--tls", "www=" + tlsAddr, "--tls", "file-cert=file:" + e.caFile,
		"--http", "web=" + web + "/ok", "--http", "down=" + "http://" + testutil.ClosedAddr(t) + "/",
		"--process", "busy=name:" + busyName, "--host-context"}
	run(t, workdir, args...)
	time.Sleep(500 * time.Millisecond)
	got := values(t, run(t, workdir, args...))
	within(t, got, "app.proc_cpu.busy", 1, 200)

	defs := parseMeta(t, metaRun(t, args...))
	units := map[string]string{
		"tls_days": "float", "tls_valid": "integer", "http_time": "milliseconds", "http_status": "integer",
		"http_up": "integer", "proc_count": "integer", "proc_cpu": "percentage", "proc_rss": "bytes",
		"proc_fds": "integer", "proc_threads": "integer", "proc_uptime": "seconds", "host": "percentage",
	}
	used := map[string]bool{}
	for name := range got {
		key, unit, ok := covering(defs, name)
		if !ok {
			t.Errorf("%s has no graph definition", name)
			continue
		}
		used[key] = true
		if want := units[strings.Split(name, ".")[1]]; unit != want {
			t.Errorf("%s is graphed in %s, want %s", name, unit, want)
		}
	}
	for key := range defs.Graphs {
		if !used[key] {
			t.Errorf("graph %s defined, but no metric of it printed", key)
		}
	}
	g, ok := defs.Graphs["app.http_time.#"]
	if !ok {
		t.Fatalf("no graph app.http_time.#: %v", defs.Graphs)
	}
	for _, m := range g.Metrics {
		if want := m.Name != "total"; m.Stacked != want {
			t.Errorf("http_time %s stacked = %v, want %v", m.Name, m.Stacked, want)
		}
	}
}

// A meta run needs no target to answer and writes no state.
func TestMetaRunMeasuresNothing(t *testing.T) {
	stall := testutil.ServeStallServer(t)
	r := metaRun(t, "--tls", "stall="+stall.Addr, "-t", "5")
	parseMeta(t, r)
	if n := stall.Accepted(); n > 0 {
		t.Errorf("the meta run connected to the target %d times: it must not probe", n)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"space in a name", []string{"--tls", "my site=127.0.0.1:443"}, `the name "my site" may hold only letters, digits, '_' and '-'`},
		{"dot in a name", []string{"--http", "a.b=http://127.0.0.1/"}, `the name "a.b"`},
		{"empty name", []string{"--process", "=name:nginx"}, `the name ""`},
		{"no name", []string{"--tls", "127.0.0.1:443"}, "write NAME=VALUE"},
		{"unicode name", []string{"--process", "wéb=name:nginx"}, `the name "wéb"`},
		{"same name twice", []string{"--tls", "a=127.0.0.1:1", "--tls", "a=127.0.0.1:2"}, `--tls name "a" is given twice`},
		{"not http", []string{"--http", "a=ftp://127.0.0.1/"}, "is not an http:// or https:// URL"},
		{"bad regexp", []string{"--process", "a=("}, "not a regular expression"},
		{"name with a path", []string{"--process", "a=name:/usr/bin/x"}, `--process "a=name:/usr/bin/x": /usr/bin/x is not a process name`},
		{"empty unit", []string{"--process", "a=unit:"}, `--process "a=unit:": '' is not a unit name`},
		{"bad prefix", []string{"--prefix", "a..b", "--tls", "a=127.0.0.1:1"}, "--prefix"},
		// The agent adds custom. itself: custom.custom.app.* is a typo.
		{"prefix custom.", []string{"--prefix", "custom.app", "--tls", "a=127.0.0.1:1"}, "the agent adds custom."},
		{"prefix custom", []string{"--prefix", "custom", "--tls", "a=127.0.0.1:1"}, "the agent adds custom."},
		{"nothing to measure", nil, "nothing to measure"},
		{"argument", []string{"127.0.0.1"}, "unexpected argument"},
		{"ca and no-verify", []string{"--tls", "a=127.0.0.1:1", "--ca-file", "/dev/null", "--no-verify"}, "conflict"},
		{"unknown flag", []string{"--bogus"}, "bogus"},
		{"empty target", []string{"--tls", "x="}, "nothing after '=' to measure"},
		{"empty file target", []string{"--tls", "x=file:"}, "file: needs a path"},
		{"missing config", []string{"--config", "/nonexistent/app.toml"}, "/nonexistent/app.toml"},
		{"empty ca-file", []string{"--tls", "a=127.0.0.1:1", "--ca-file="}, "--ca-file is empty"},
		{"port out of range", []string{"--http", "a=http://127.0.0.1:83596/"}, `port "83596" is not a number from 1 to 65535`},
		{"port out of range in config", []string{"--config", testutil.WriteFile(t, "port.toml", []byte("[http]\nweb = \"http://127.0.0.1:70000/\"\n"))}, `port "70000" is not a number from 1 to 65535`},
		{"tls port out of range", []string{"--tls", "a=127.0.0.1:65536"}, `port "65536" is not a number from 1 to 65535`},
		// What came from the config file is named by its key.
		{"ca_file in config", []string{"--config", testutil.WriteFile(t, "ca.toml", []byte("ca_file = \"/nonexistent/ca.pem\"\n[tls]\nwww = \"127.0.0.1:1\"\n"))}, ".toml: ca_file: cannot read /nonexistent/ca.pem"},
		{"ca_file in config and --no-verify", []string{"--no-verify", "--config", testutil.WriteFile(t, "ca.yaml", []byte("ca_file: /dev/null\ntls:\n  www: 127.0.0.1:1\n"))}, ".yaml: ca_file and --no-verify conflict: ca_file adds trust anchors"},
		{"--ca-file and no_verify in config", []string{"--ca-file", "/dev/null", "--config", testutil.WriteFile(t, "nv.toml", []byte("no_verify = true\n[tls]\nwww = \"127.0.0.1:1\"\n"))}, ".toml: --ca-file and no_verify conflict"},
		{"same name in config and flags", []string{"--tls", "www=127.0.0.1:1", "--config", testutil.WriteFile(t, "dup.toml", []byte("[tls]\nwww = \"127.0.0.1:2\"\n"))}, `--tls name "www" is given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, "", tc.args...)
			if r.Code != 3 || r.Stdout != "" {
				t.Errorf("exit %d with stdout %q, want 3 and nothing\n%s", r.Code, r.Stdout, r)
			}
			if !strings.HasPrefix(r.Stderr, "mackerel-plugin-app UNKNOWN: ") || !strings.Contains(r.Stderr, tc.want) || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line with %q", r.Stderr, tc.want)
			}
		})
	}
}

// A usage error about a target quotes it with its password hidden,
// whether the target came from a flag or from the config file.
func TestUsageErrorHidesPasswords(t *testing.T) {
	const pw = "AppTlsS3cret99"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"--tls with user info", []string{"--tls", "www=admin:" + pw + "@127.0.0.1"}, "has user info"},
		{"--tls with user info and a bad name", []string{"--tls", "w w=admin:" + pw + "@127.0.0.1"}, `the name "w w"`},
		{"--tls with user info and a bad port", []string{"--tls", "www=admin:" + pw + "@127.0.0.1:99999"}, "--tls"},
		{"tls in config", []string{"--config", testutil.WriteFile(t, "pw.yaml", []byte("tls:\n  www: admin:"+pw+"@127.0.0.1\n"))}, "has user info"},
		{"--http with a bad port", []string{"--http", "web=http://admin:" + pw + "@127.0.0.1:99999/"}, "port"},
		{"--tls with a / in the password", []string{"--tls", "www=admin:App/" + pw + "@127.0.0.1"}, "has user info"},
		{"--tls with a ? in the password", []string{"--tls", "www=admin:App?" + pw + "@127.0.0.1"}, "--tls"},
		{"--http with a / in the password and no scheme", []string{"--http", "web=admin:App/" + pw + "@127.0.0.1/"}, "not an http:// or https:// URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, "", tc.args...)
			if r.Code != 3 || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 3 and %q", r.Code, r.Stderr, tc.want)
			}
			r.ExpectNoSecret(t, pw)
		})
	}
}

// A server's header that net/http refuses is quoted in its error; the
// warning on stderr says what was wrong without it, since a Location may
// hold a password the plugin never saw.
func TestHTTPErrorHidesResponseHeaders(t *testing.T) {
	const pw = "S3cr3t/Passw0rd"
	for _, tc := range []struct {
		name, head, want string
	}{
		{"Location that is not a URL", "Location: http://admin:" + pw + "@127.0.0.1:1/echo", "Location"},
		{"Location with a control character", "Location: http://admin:" + pw + "@127.0.0.1:1/e\x7fcho", "header line"},
		{"Location on an indented first line", " Location: http://admin:" + pw + "@127.0.0.1:1/echo", "header line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := testutil.ServeCanned(t, "HTTP/1.1 302 Found\r\n"+tc.head+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			r := run(t, "", "--http", "web=http://"+addr+"/")
			within(t, values(t, r), "app.http_up.web", 0, 0)
			if want := "http web: "; !strings.Contains(r.Stderr, want) || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("stderr %q lacks %q or %q", r.Stderr, want, tc.want)
			}
			r.ExpectNoSecret(t, pw, "Passw0rd")
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	run(t, "", "--help").Expect(t, 0, "--tls=NAME=TARGET", "--host-context", "--config=FILE")
	run(t, "", "--version").Expect(t, 0, "mackerel-plugin-app ")
}

// CPU use comes from two runs: a group that spins a core shows more than
// an idle one, which shows next to nothing.
func TestCPUAcrossRuns(t *testing.T) {
	requireProc(t)
	busyName, idleName := busy(t), idle(t, 2)
	workdir := t.TempDir()
	args := []string{"--process", "busy=name:" + busyName, "--process", "idle=name:" + idleName}
	first := values(t, run(t, workdir, args...))
	absent(t, first, "app.proc_cpu.busy", "app.proc_cpu.idle")
	time.Sleep(time.Second)
	second := values(t, run(t, workdir, args...))
	// One core spinning, on a machine whose two cores are shared with
	// other work (a spinner got under 10% beside a dozen runnable
	// processes): above what idle may show, never above what one
	// process can use of two cores.
	within(t, second, "app.proc_cpu.busy", 3, 200)
	within(t, second, "app.proc_cpu.idle", 0, 2)
}

// stateFile is the one state file a run left in workdir.
func stateFile(t *testing.T, workdir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(workdir, "mackerel-plugin-app-*.json"))
	if len(files) != 1 {
		t.Fatalf("state files in %s: %v, want one", workdir, files)
	}
	return files[0]
}

// A state file that is not the plugin's, or not whole, is discarded with
// one line on stderr: that run prints no CPU figure, the next one does.
func TestCorruptStateFile(t *testing.T) {
	requireProc(t)
	name := busy(t)
	args := []string{"--process", "busy=name:" + name}
	for _, tc := range []struct{ name, content, want string }{
		{"garbage", "\x00\x01 not json", "not a state file of this plugin"},
		{"cut short", `{"format":"mackerel-plugin-app/1","config":"`, "not a state file of this plugin"},
		{"foreign", `{"format":"go-mackerel-plugin","at":1}`, `format "go-mackerel-plugin"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			workdir := t.TempDir()
			run(t, workdir, args...)
			path := stateFile(t, workdir)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			r := run(t, workdir, args...)
			got := values(t, r)
			within(t, got, "app.proc_count.busy", 1, 1)
			absent(t, got, "app.proc_cpu.busy")
			if strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, "state file "+path+" discarded") || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("stderr %q, want one line saying %s was discarded: %s", r.Stderr, path, tc.want)
			}
			time.Sleep(300 * time.Millisecond)
			r = run(t, workdir, args...)
			within(t, values(t, r), "app.proc_cpu.busy", 1, 200)
			if r.Stderr != "" {
				t.Errorf("the state was not rewritten whole: %q", r.Stderr)
			}
		})
	}
}

// Two plugin entries with other targets keep their state apart.
func TestStatePerConfiguration(t *testing.T) {
	requireProc(t)
	workdir := t.TempDir()
	name := idle(t, 1)
	run(t, workdir, "--process", "a=name:"+name)
	run(t, workdir, "--process", "b=name:"+name)
	files, _ := filepath.Glob(filepath.Join(workdir, "mackerel-plugin-app-*.json"))
	if len(files) != 2 {
		t.Errorf("state files %v, want one per configuration", files)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(workdir, "*.tmp*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

// A process restarted between two runs is a new process (another PID and
// start time): it counts from its own start, so the group's figure is
// neither missing nor a spike of the old process's lifetime of CPU.
func TestRestartBetweenRuns(t *testing.T) {
	requireProc(t)
	name := testutil.ProgramName("mpa-rest-")
	cmd, path := testutil.RunProgramAs(t, "/bin/sh", name, "-c", "while :; do :; done")
	workdir := t.TempDir()
	args := []string{"--process", "svc=name:" + name}
	time.Sleep(1500 * time.Millisecond) // CPU time for a spike to show
	run(t, workdir, args...)
	cmd.Process.Kill()
	cmd.Wait()
	testutil.RunProgram(t, path, "-c", "while :; do :; done")
	time.Sleep(500 * time.Millisecond)
	got := values(t, run(t, workdir, args...))
	within(t, got, "app.proc_count.svc", 1, 1)
	within(t, got, "app.proc_cpu.svc", 1, 101)
	within(t, got, "app.proc_uptime.svc", 0, 2)
}

// A target that fails prints what it can; the healthy ones beside it
// print everything.
func TestFailingTargetBesideHealthy(t *testing.T) {
	e := newEnv(t)
	good := e.serve(t, 30.5)
	closed := testutil.ClosedAddr(t)
	web := testutil.ServeHTTP(t, fixture.App{}.Handler(), false)
	r := run(t, "", "--ca-file", e.caFile, "--tls", "good="+good, "--tls", "bad="+closed,
		"--http", "ok="+web+"/ok", "--http", "down=http://"+closed+"/", "--http", "err="+web+"/status/503")
	got := values(t, r)
	within(t, got, "app.tls_days.good", 30.4, 30.5)
	within(t, got, "app.tls_valid.good", 1, 1)
	within(t, got, "app.tls_valid.bad", 0, 0)
	absent(t, got, "app.tls_days.bad", "app.http_status.down", "app.http_time.down.total")
	within(t, got, "app.http_up.ok", 1, 1)
	within(t, got, "app.http_up.down", 0, 0)
	within(t, got, "app.http_status.err", 503, 503)
	within(t, got, "app.http_up.err", 0, 0)
	for _, want := range []string{"tls bad: connect " + closed, "http down: connect " + closed} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr %q lacks %q", r.Stderr, want)
		}
	}
}

// A target that never answers costs only itself: the run ends in time
// with the others' figures.
func TestHungTargetWithinTimeout(t *testing.T) {
	e := newEnv(t)
	good := e.serve(t, 30.5)
	stall := testutil.ServeStall(t)
	r := run(t, "", "-t", "2", "--ca-file", e.caFile, "--tls", "good="+good, "--tls", "stall="+stall, "--http", "stall_http=https://"+stall+"/")
	got := values(t, r)
	within(t, got, "app.tls_days.good", 30.4, 30.5)
	within(t, got, "app.tls_valid.stall", 0, 0)
	within(t, got, "app.http_up.stall_http", 0, 0)
	r.ExpectEndedBy(t, 2*time.Second)
}

// Without a trusted chain the days left still print, beside tls_valid 0;
// --no-verify judges the dates alone.
func TestVerification(t *testing.T) {
	e := newEnv(t)
	addr := e.serve(t, 50.5)
	got := values(t, run(t, "", "--tls", "www="+addr))
	within(t, got, "app.tls_days.www", 50.4, 50.5)
	within(t, got, "app.tls_valid.www", 0, 0)
	got = values(t, run(t, "", "--no-verify", "--tls", "www="+addr))
	within(t, got, "app.tls_valid.www", 1, 1)
	expired := testutil.ServeChain(t, testutil.Leaf(t, e.pki, -2.5), e.pki.Intermediate)
	got = values(t, run(t, "", "--ca-file", e.caFile, "--tls", "old="+expired))
	within(t, got, "app.tls_days.old", -2.6, -2.4)
	within(t, got, "app.tls_valid.old", 0, 0)
}

// Every tls_valid 0 has its reason on stderr, which the agent logs: a
// chain that fails verification as much as a refused connection.
func TestInvalidCertificateSaysWhy(t *testing.T) {
	e := newEnv(t)
	addr := e.serve(t, 50.5)
	r := run(t, "", "--tls", "www="+addr)
	within(t, values(t, r), "app.tls_valid.www", 0, 0)
	if !strings.Contains(r.Stderr, "mackerel-plugin-app: tls www: ") || !strings.Contains(r.Stderr, "verif") {
		t.Errorf("stderr does not say why the certificate is invalid: %q", r.Stderr)
	}
	expired := testutil.ServeChain(t, testutil.Leaf(t, e.pki, -2.5), e.pki.Intermediate)
	r = run(t, "", "--ca-file", e.caFile, "--tls", "old="+expired)
	within(t, values(t, r), "app.tls_valid.old", 0, 0)
	if !strings.Contains(r.Stderr, "mackerel-plugin-app: tls old: ") || !strings.Contains(r.Stderr, "expired") {
		t.Errorf("stderr does not say the certificate expired: %q", r.Stderr)
	}
	r = run(t, "", "--ca-file", e.caFile, "--tls", "www="+addr)
	within(t, values(t, r), "app.tls_valid.www", 1, 1)
	if r.Stderr != "" {
		t.Errorf("stderr for a valid certificate: %q", r.Stderr)
	}
}

// The same certificate gives the same days left in the graph as in
// check-tls-expiry's message.
func TestDaysAgreeWithCheck(t *testing.T) {
	e := newEnv(t)
	check := testutil.Binary(t, "check-tls-expiry")
	days := regexp.MustCompile(`expires in ([0-9.]+) days`)
	for _, left := range []float64{1.65, 5.5, 21.25} {
		addr := e.serve(t, left)
		file := testutil.WriteFile(t, "leaf.pem", fixture.PEM(testutil.Leaf(t, e.pki, left)))
		for _, target := range []struct{ plugin, check []string }{
			{[]string{"--tls", "x=" + addr}, []string{"-H", addr}},
			{[]string{"--tls", "x=file:" + file}, []string{"-f", file}},
		} {
			got := values(t, run(t, "", append([]string{"--ca-file", e.caFile}, target.plugin...)...))
			c := testutil.Run(t, check, nil, append([]string{"--ca-file", e.caFile, "-w", "30", "-c", "1"}, target.check...)...)
			m := days.FindStringSubmatch(c.Stdout)
			if m == nil {
				t.Fatalf("check-tls-expiry said no days:\n%s", c)
			}
			v := got["app.tls_days.x"]
			shown := strconv.Itoa(int(math.Floor(v)))
			if v < 2 {
				shown = strconv.FormatFloat(math.Floor(v*10)/10, 'f', 1, 64)
			}
			if shown != m[1] {
				t.Errorf("%v: tls_days %v shows as %s days, check-tls-expiry says %s", target.plugin, v, shown, m[1])
			}
		}
	}
}

// The same targets from a TOML or YAML file print the same metrics.
func TestConfigFile(t *testing.T) {
	e := newEnv(t)
	addr := e.serve(t, 40.5)
	web := testutil.ServeHTTP(t, fixture.App{}.Handler(), false)
	name := idle(t, 2)
	flags := values(t, run(t, "", "--prefix", "svc", "--ca-file", e.caFile, "--tls", "www="+addr, "--http", "web="+web+"/ok",
		"--process", "idle=name:"+name, "--process", "idle_re=^/.*/"+name+" ", "--host-context"))
	toml := testutil.WriteFile(t, "app.toml", []byte(`prefix = "svc"
ca_file = "`+e.caFile+`"
host_context = true
[tls]
www = "`+addr+`"
[http]
web = "`+web+`/ok"
[process]
idle = "name:`+name+`"
idle_re = "^/.*/`+name+` "
`))
	yaml := testutil.WriteFile(t, "app.yaml", []byte(`prefix: svc
ca_file: `+e.caFile+`
host_context: true
tls:
  www: "`+addr+`"
http:
  web: "`+web+`/ok"
process:
  idle: "name:`+name+`"
  idle_re: "^/.*/`+name+` "
`))
	for _, file := range []string{toml, yaml} {
		got := values(t, run(t, "", "--config", file))
		for name := range flags {
			if _, ok := got[name]; !ok {
				t.Errorf("%s: %s not printed", filepath.Base(file), name)
			}
		}
		if len(got) != len(flags) {
			t.Errorf("%s printed %v, the flags %v", filepath.Base(file), got, flags)
		}
		within(t, got, "svc.tls_valid.www", 1, 1)
		within(t, got, "svc.proc_count.idle", 2, 2)
		within(t, got, "svc.proc_count.idle_re", 2, 2)
	}
	for _, tc := range []struct{ name, content, want string }{
		{"bad.toml", "[tls]\nwww = \"" + addr + "\"\n[htttp]\nx = \"y\"\n", `unknown key "htttp`},
		{"bad.yaml", "tls:\n  \"a b\": 127.0.0.1\n", `the name "a b"`},
		{"typo.yaml", "tls:\n  www: 127.0.0.1\nhost_contxt: true\n", `unknown field "host_contxt"`},
		{"two.yaml", "tls:\n  www: 127.0.0.1\n---\nprocess:\n  web: name:nginx\n", "a second YAML document (--- at line 3)"},
		{"bad.ini", "", "name the file .toml, .yaml or .yml"},
	} {
		r := run(t, "", "--config", testutil.WriteFile(t, tc.name, []byte(tc.content)))
		if r.Code != 3 || r.Stdout != "" || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("%s: want exit 3, no stdout, stderr with %q\n%s", tc.name, tc.want, r)
		}
	}
}

// On a host that systemd did not boot, a unit group can never have a
// process: a 0 would be a fake outage, so its values are left out and
// stderr says why, as check-process says UNKNOWN.
func TestUnitWithoutSystemd(t *testing.T) {
	requireProc(t)
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		r := run(t, "", "--process", "web=unit:mpa-none-"+strconv.Itoa(os.Getpid()))
		within(t, values(t, r), "app.proc_count.web", 0, 0)
		return
	}
	r := run(t, "", "--process", "web=unit:nginx", "--process", "me=name:mpa-none")
	got := values(t, r)
	absent(t, got, "app.proc_count.web", "app.proc_rss.web", "app.proc_threads.web", "app.proc_fds.web")
	within(t, got, "app.proc_count.me", 0, 0)
	if want := "mackerel-plugin-app: process web: systemd is not running on this host (no /run/systemd/system): unit:nginx never has a process here, so its values are left out; name the processes with a pattern or name:\n"; r.Stderr != want {
		t.Errorf("stderr %q, want %q", r.Stderr, want)
	}
}

// A MACKEREL_PLUGIN_WORKDIR that does not exist is made, so that the
// state file, and with it proc_cpu, works from the second run on.
func TestMissingWorkdirIsMade(t *testing.T) {
	requireProc(t)
	workdir := filepath.Join(t.TempDir(), "plugins", "work")
	name := idle(t, 1)
	for i := range 2 {
		r := run(t, workdir, "--process", "idle=name:"+name)
		got := values(t, r)
		if r.Stderr != "" {
			t.Errorf("run %d: stderr %q", i+1, r.Stderr)
		}
		if i == 1 {
			within(t, got, "app.proc_cpu.idle", 0, 5)
		}
	}
}

// A group never counts the plugin or the shell that started it, whose
// command lines name the pattern too.
func TestNeverCountsItselfOrItsParent(t *testing.T) {
	requireProc(t)
	pattern := "mackerel-plugin-app.*never-me"
	bin := testutil.Binary(t, "mackerel-plugin-app")
	r := testutil.Run(t, "/bin/sh", []string{"MACKEREL_PLUGIN_WORKDIR=" + t.TempDir()}, "-c", bin+" --process 'me="+pattern+"'; exit $?")
	got := values(t, r)
	within(t, got, "app.proc_count.me", 0, 0)
}

// Nor any ancestor (a shell that forks and waits, timeout), nor another
// run of the plugin through a shell.
func TestNeverCountsItsAncestors(t *testing.T) {
	requireProc(t)
	pattern := "mpa-anc-" + strconv.Itoa(os.Getpid())
	bin := testutil.Binary(t, "mackerel-plugin-app")
	testutil.RunProgram(t, "/bin/sh", "-c", "sleep 120; "+bin+" --process 'me="+pattern+"'")
	r := testutil.Run(t, "/bin/sh", []string{"MACKEREL_PLUGIN_WORKDIR=" + t.TempDir()}, "-c", "timeout 20 "+bin+" --process 'me="+pattern+"'; exit $?")
	within(t, values(t, r), "app.proc_count.me", 0, 0)
}

func TestREADMEShowsHelp(t *testing.T) { testutil.ExpectREADMEShowsHelp(t, "mackerel-plugin-app") }

// mackerel-agent starts its plugins with GODEBUG=http2client=0: an
// endpoint that speaks HTTP/2 is still measured over HTTP/2, as from a
// shell. The endpoint answers 505 to any other protocol, so a run that
// fell back to HTTP/1.1 would graph it down.
func TestHTTP2UnderAgentEnvironment(t *testing.T) {
	e := newEnv(t)
	app := fixture.App{}.Handler()
	h2only := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			w.WriteHeader(http.StatusHTTPVersionNotSupported)
			return
		}
		app.ServeHTTP(w, r)
	})
	web := testutil.ServeHTTPS(t, h2only, []*fixture.Cert{testutil.Leaf(t, e.pki, 60.5), e.pki.Intermediate}, false)
	r := testutil.Run(t, testutil.Binary(t, "mackerel-plugin-app"), []string{"GODEBUG=http2client=0", "MACKEREL_AGENT_PLUGIN_META="},
		"--ca-file", e.caFile, "--http", "h2="+web+"/proto")
	got := values(t, r)
	within(t, got, "app.http_up.h2", 1, 1)
	within(t, got, "app.http_status.h2", 200, 200)
	within(t, got, "app.http_time.h2.tls", 0.001, 5000)
}

// An intermediate that expires before the leaf decides, in a file holding
// the full chain as at an endpoint, verified or not: the graph shows the
// days check-tls-expiry names in its message.
func TestDaysAgreeWithCheckOnAChain(t *testing.T) {
	root := testutil.NewCert(t, fixture.CertOptions{CN: "Short Root", IsCA: true, NotAfter: fixture.InDays(3650)})
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "R11", IsCA: true, Issuer: root, NotAfter: fixture.InDays(3.5)})
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: inter, NotAfter: fixture.InDays(80)})
	addr := testutil.ServeChain(t, leaf, inter)
	ca := testutil.WriteFile(t, "ca.pem", fixture.PEM(root))
	fullchain := testutil.WriteFile(t, "fullchain.pem", fixture.PEM(leaf, inter))
	check := testutil.Binary(t, "check-tls-expiry")
	days := regexp.MustCompile(`expires in ([0-9.]+) days`)
	for _, tc := range []struct {
		name          string
		plugin, check []string
		valid         float64
	}{
		{"endpoint", []string{"--ca-file", ca, "--tls", "x=" + addr}, []string{"--ca-file", ca, "-H", addr}, 1},
		{"endpoint unverified", []string{"--tls", "x=" + addr}, []string{"-H", addr}, 0},
		{"fullchain file", []string{"--tls", "x=file:" + fullchain}, []string{"-f", fullchain}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := values(t, run(t, "", tc.plugin...))
			c := testutil.Run(t, check, nil, tc.check...)
			m := days.FindStringSubmatch(c.Stdout)
			if m == nil {
				t.Fatalf("check-tls-expiry said no days:\n%s", c)
			}
			within(t, got, "app.tls_days.x", 3.4, 3.5)
			if v := got["app.tls_days.x"]; strconv.Itoa(int(math.Floor(v))) != m[1] {
				t.Errorf("tls_days %v, check-tls-expiry says %s days:\n%s", v, m[1], c)
			}
			within(t, got, "app.tls_valid.x", tc.valid, tc.valid)
		})
	}
}

// http_up is what check-http-e2e with its defaults says of the same URL:
// 1 where it is OK (a final status of 200-399, redirects followed), 0
// where it is not, a 404 included. http_status prints whenever a
// response came.
func TestUpAgreesWithCheck(t *testing.T) {
	web := testutil.ServeHTTP(t, fixture.App{}.Handler(), false)
	check := testutil.Binary(t, "check-http-e2e")
	for _, tc := range []struct {
		path   string
		up     float64
		status float64
	}{
		{"/ok", 1, 200},
		{"/redirect/3", 1, 200},
		{"/status/204", 1, 204},
		{"/status/404", 0, 404},
		{"/status/403", 0, 403},
		{"/status/503", 0, 503},
	} {
		t.Run(tc.path, func(t *testing.T) {
			got := values(t, run(t, "", "--http", "x="+web+tc.path))
			within(t, got, "app.http_up.x", tc.up, tc.up)
			within(t, got, "app.http_status.x", tc.status, tc.status)
			c := testutil.Run(t, check, nil, "-u", web+tc.path)
			if checkOK := c.Code == 0; checkOK != (got["app.http_up.x"] == 1) {
				t.Errorf("http_up %v, check-http-e2e exits %d:\n%s", got["app.http_up.x"], c.Code, c)
			}
		})
	}
}

// A URL that cannot be requested is a usage error, as with check-http-e2e,
// not a target that is down on every run; and a usage error that quotes a
// URL never shows the password in it (stderr reaches the agent's log).
func TestHTTPTargetUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no host", []string{"--http", "a=http://"}, "is not an http:// or https:// URL"},
		{"space in host", []string{"--http", "a=http://a b/"}, "is not an http:// or https:// URL"},
		{"password, bad name", []string{"--http", "a.b=https://user:s3cret@127.0.0.1/"}, `the name "a.b"`},
		{"password, not http", []string{"--http", "a=ftp://user:s3cret@127.0.0.1/"}, "is not an http:// or https:// URL"},
		{"password, no host", []string{"--http", "a=http://user:s3cret@"}, "is not an http:// or https:// URL"},
		{"token in query", []string{"--http", "a.b=https://127.0.0.1/?token=s3cret"}, `the name "a.b"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, "", tc.args...)
			if r.Code != 3 || r.Stdout != "" || !strings.Contains(r.Stderr, tc.want) || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("want exit 3, nothing on stdout, one line with %q on stderr\n%s", tc.want, r)
			}
			if strings.Contains(r.Stderr, "s3cret") {
				t.Errorf("the password is printed: %q", r.Stderr)
			}
		})
	}
}

// A bad --process selector is explained in the plugin's own terms
// (name:, unit:, a regular expression), never with check-process's flags,
// which this plugin does not have.
func TestProcessSelectorUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty name", []string{"--process", "x=name:"}, "name:nginx"},
		{"path as name", []string{"--process", "x=name:/usr/sbin/nginx"}, "without a path"},
		{"empty unit", []string{"--process", "x=unit:"}, "unit:nginx"},
		{"bad regexp", []string{"--process", "x=(("}, "not a regular expression: missing closing )"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, "", tc.args...)
			if r.Code != 3 || r.Stdout != "" || !strings.Contains(r.Stderr, tc.want) || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("want exit 3, nothing on stdout, one line with %q on stderr\n%s", tc.want, r)
			}
			for _, flag := range []string{" -n ", " -p ", "--exe", "--systemd-unit"} {
				if strings.Contains(r.Stderr, flag) {
					t.Errorf("stderr names %s, a flag this plugin does not have: %q", flag, r.Stderr)
				}
			}
		})
	}
}

// A group with no process uses nothing: its count and sums print 0 (its
// CPU too, once there is an earlier run), so an outage shows on every
// graph of it; it has no youngest process, so no uptime.
func TestEmptyGroup(t *testing.T) {
	requireProc(t)
	workdir := t.TempDir()
	args := []string{"--process", "none=name:" + testutil.ProgramName("mpa-none-")}
	run(t, workdir, args...)
	got := values(t, run(t, workdir, args...))
	for _, m := range []string{"count", "cpu", "rss", "fds", "threads"} {
		within(t, got, "app.proc_"+m+".none", 0, 0)
	}
	absent(t, got, "app.proc_uptime.none")
}

// What a failing target says on stderr (the agent's log) never shows a
// credential of its URL, a token in the query included.
func TestFailingTargetHidesCredentials(t *testing.T) {
	web := testutil.ServeHTTP(t, fixture.App{}.Handler(), false)
	u := strings.Replace(web, "://", "://monitor:pw1s3cret@", 1) + "/loop/a?token=tok3n&api_key=k3y"
	r := run(t, "", "--http", "loop="+u)
	within(t, values(t, r), "app.http_up.loop", 0, 0)
	if !strings.Contains(r.Stderr, "redirect loop") {
		t.Errorf("stderr %q does not say why", r.Stderr)
	}
	for _, s := range []string{"pw1s3cret", "tok3n", "k3y"} {
		if strings.Contains(r.Stderr, s) {
			t.Errorf("stderr shows %s: %q", s, r.Stderr)
		}
	}
}

// Through a chain of redirects, http_status is the final response's and
// the phases add up every hop: three hops that each wait 200 ms before
// answering show at least 600 ms of ttfb.
func TestRedirectChain(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n <= 1 {
			http.Redirect(w, r, "/final", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	web := testutil.ServeHTTP(t, mux, false)
	got := values(t, run(t, "", "--http", "chain="+web+"/hop/3"))
	within(t, got, "app.http_status.chain", 202, 202)
	within(t, got, "app.http_up.chain", 1, 1)
	within(t, got, "app.http_time.chain.ttfb", 600, 5000)
	within(t, got, "app.http_time.chain.total", 600, 5000)
}
