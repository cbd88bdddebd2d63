// Command demo runs every plugin against loopback fixtures it starts itself
// and prints what each says: the command line, the exit status and the
// message, as the agent would receive them. `make demo` runs it.
//
// However the demo ends (it finishes, its reader goes away as in
// `make demo | head`, or SIGINT, SIGTERM or SIGHUP arrive) it stops every
// process it started and removes its folder; where the kernel allows
// (Linux), a demo killed outright takes its processes with it too.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
)

// demoPassword is the web fixture's basic-auth password and the login
// app's, which the demo passes through the environment and no output shows.
const demoPassword = "demo-password"

// demoUser signs in to the login app; like the password, it comes from the
// environment, so the messages show it as ***.
const demoUser = "e2e-probe"

var statuses = []string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}

type scenario struct {
	what string
	bin  string
	args []string
}

// idleArg makes the demo a process for check-process to find.
const idleArg = "idle"

func main() {
	if len(os.Args) == 2 && os.Args[1] == idleArg {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		return
	}
	binDir := flag.String("bin", "bin", "folder of the built plugins")
	flag.Parse()
	err := run(*binDir)
	switch {
	case errors.Is(err, errReaderGone):
		// As a shell reports a process that a broken pipe ended.
		os.Exit(128 + 13)
	case err != nil:
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// errReaderGone is a write to stdout that failed: whoever read the demo
// (`make demo | head`) stopped, and the demo stops with it.
var errReaderGone = errors.New("stdout is closed")

// printer writes to stdout and remembers the first failure.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func run(binDir string) error {
	// Watched before anything starts, so that a signal during start-up
	// still stops what started. Each is raised again once the clean-up
	// is done, so that the demo's parent sees what ended it.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	dir, err := os.MkdirTemp("", "frontline-demo-")
	if err != nil {
		return err
	}
	f := &fixtures{dir: dir}
	defer f.close()
	var plugins pluginRuns
	go func() {
		sig := <-signals
		// The plugin running now is ended first: mackerel-plugin-app
		// creates its workdir, which is this folder, and would bring it
		// back after the clean-up removed it.
		plugins.stop()
		f.close()
		signal.Reset(sig)
		raise(sig)
	}()
	// The metric plugin keeps its state there, not in the temp folder.
	os.Setenv("MACKEREL_PLUGIN_WORKDIR", dir)
	scenarios, err := f.start()
	if err != nil {
		return err
	}

	out := &printer{w: stdout()}
	out.printf("mackerel-frontline demo: every fixture listens on loopback and stops when the demo ends.\nFiles are in $DEMO=%s\n\n", dir)
	failed := 0
	for i, s := range scenarios {
		if out.err != nil {
			return fmt.Errorf("%w: %v", errReaderGone, out.err)
		}
		cmd := exec.Command(filepath.Join(binDir, s.bin), s.args...)
		// As mackerel-agent's per-plugin env would set it.
		cmd.Env = append(os.Environ(), "DEMO_PASSWORD="+demoPassword, "E2E_USER="+demoUser, "E2E_PASSWORD="+demoPassword)
		cmd.SysProcAttr = childAttr()
		var buf bytes.Buffer
		cmd.Stdout = &buf
		start := time.Now()
		err := plugins.run(cmd)
		if errors.Is(err, errStopped) {
			// The signal's clean-up ends the demo, with that signal.
			select {}
		}
		code := 0
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			return fmt.Errorf("%s: %w (run make build first)", s.bin, err)
		}
		status := "exit " + fmt.Sprint(code)
		switch {
		case code < 0 || code >= len(statuses):
			failed++
		case s.bin != "frontline":
			// frontline is not a check: its codes are 0 clean, 1
			// findings, 2 unreadable, and shown as they are.
			status = fmt.Sprintf("%s (exit %d)", statuses[code], code)
		}
		out.printf("%d. %s\n", i+1, s.what)
		out.printf("   $ %s %s\n", s.bin, strings.ReplaceAll(quote(s.args), dir, "$DEMO"))
		out.printf("   -> %s in %s\n", status, time.Since(start).Round(time.Millisecond))
		for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			if line == "" {
				continue
			}
			out.printf("   | %s\n", strings.ReplaceAll(line, dir, "$DEMO"))
		}
		out.printf("\n")
	}
	if out.err != nil {
		return fmt.Errorf("%w: %v", errReaderGone, out.err)
	}
	if failed > 0 {
		return fmt.Errorf("%d plugin runs exited outside 0..3", failed)
	}
	return nil
}

func quote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " '\"*$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// fixtures are the servers, processes and files the scenarios run against.
// close may come from the signal watcher while start is still adding to
// them, hence the lock.
type fixtures struct {
	dir string

	mu       sync.Mutex
	closed   bool
	closers  []interface{ Close() error }
	children []*exec.Cmd
}

// errClosed is a fixture asked for after the demo began to stop.
var errClosed = errors.New("the demo is stopping")

// close stops every fixture and removes the folder; the second call has
// nothing left to do.
func (f *fixtures) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for _, c := range f.closers {
		c.Close()
	}
	for _, c := range f.children {
		c.Process.Kill()
	}
	// Reaped before the folder goes: a worker runs from it.
	for _, c := range f.children {
		c.Wait()
	}
	os.RemoveAll(f.dir)
}

// startChild starts cmd as one of the demo's processes, unless the demo
// is already stopping.
func (f *fixtures) startChild(cmd *exec.Cmd) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return errClosed
	}
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	f.children = append(f.children, cmd)
	return nil
}

// keep has close stop c, or stops it at once when the demo is stopping.
func (f *fixtures) keep(c interface{ Close() error }) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		c.Close()
		return errClosed
	}
	f.closers = append(f.closers, c)
	return nil
}

// worker starts a copy of the demo named name, idle until the demo ends.
func (f *fixtures) worker(name string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(f.dir, name)
	if _, err := os.Stat(path); err != nil {
		if err := os.Link(self, path); err != nil {
			b, err := os.ReadFile(self)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, b, 0o755); err != nil {
				return nil, err
			}
		}
	}
	cmd := exec.Command(path, idleArg)
	if err := f.startChild(cmd); err != nil {
		return nil, err
	}
	return cmd, nil
}

// sleepers starts n processes that sleep for secs seconds: a process
// group for the metric plugin to graph.
func (f *fixtures) sleepers(n int, secs string) error {
	for range n {
		if err := f.startChild(exec.Command("sleep", secs)); err != nil {
			return err
		}
	}
	return nil
}

func (f *fixtures) serve(o fixture.TLSOptions, err error) (string, error) {
	if err != nil {
		return "", err
	}
	s, err := fixture.ServeTLS(o)
	if err != nil {
		return "", err
	}
	return s.Addr, f.keep(s)
}

// serveHTTP starts a web server and returns its base URL.
func (f *fixtures) serveHTTP(h http.Handler, o fixture.HTTPOptions) (string, error) {
	s, err := fixture.StartHTTP(h, o)
	if err != nil {
		return "", err
	}
	return s.URL, f.keep(s)
}

func (f *fixtures) write(name string, data []byte) (string, error) {
	path := filepath.Join(f.dir, name)
	return path, os.WriteFile(path, data, 0o600)
}

func (f *fixtures) start() ([]scenario, error) {
	pki, err := fixture.NewPKI("Demo")
	if err != nil {
		return nil, err
	}
	ca, err := f.write("ca.pem", fixture.PEM(pki.Root))
	if err != nil {
		return nil, err
	}
	chain := func(days float64, o fixture.TLSOptions) (fixture.TLSOptions, error) {
		leaf, err := pki.Leaf(days, "app.demo.test")
		o.Chain = []*fixture.Cert{leaf, pki.Intermediate}
		return o, err
	}
	healthy, err := f.serve(chain(64.5, fixture.TLSOptions{}))
	if err != nil {
		return nil, err
	}
	expiring, err := f.serve(chain(3.5, fixture.TLSOptions{}))
	if err != nil {
		return nil, err
	}
	mail, err := f.serve(chain(21.5, fixture.TLSOptions{StartTLS: "smtp"}))
	if err != nil {
		return nil, err
	}
	stall, err := fixture.ServeStall("")
	if err != nil {
		return nil, err
	}
	if err := f.keep(stall); err != nil {
		return nil, err
	}

	shortInter, err := fixture.NewCert(fixture.CertOptions{CN: "Demo R11", IsCA: true, Issuer: pki.Root, NotAfter: fixture.InDays(5.5)})
	if err != nil {
		return nil, err
	}
	leaf, err := fixture.NewCert(fixture.CertOptions{CN: "www.demo.test", Issuer: shortInter, NotAfter: fixture.InDays(80.5)})
	if err != nil {
		return nil, err
	}
	fullchain, err := f.write("fullchain.pem", fixture.PEM(leaf, shortInter))
	if err != nil {
		return nil, err
	}
	drill, err := f.write("drill", []byte("critical game day: is the on-call mentioned in Slack?\n"))
	if err != nil {
		return nil, err
	}

	app := fixture.App{User: "monitor", Password: demoPassword}.Handler()
	web, err := f.serveHTTP(app, fixture.HTTPOptions{})
	if err != nil {
		return nil, err
	}
	webLeaf, err := pki.Leaf(12.5, "app.demo.test")
	if err != nil {
		return nil, err
	}
	webTLS, err := f.serveHTTP(app, fixture.HTTPOptions{Chain: []*fixture.Cert{webLeaf, pki.Intermediate}})
	if err != nil {
		return nil, err
	}
	// Two workers of a job queue, just started, and the pid file of a
	// service that crashed and left it behind.
	for range 2 {
		if _, err := f.worker("demo-worker"); err != nil {
			return nil, err
		}
	}
	pidfile, err := f.write("app.pid", []byte("999999999\n"))
	if err != nil {
		return nil, err
	}
	appLeaf, err := pki.Leaf(64.5)
	if err != nil {
		return nil, err
	}
	appWeb, err := f.serveHTTP(fixture.App{}.Handler(), fixture.HTTPOptions{Chain: []*fixture.Cert{appLeaf, pki.Intermediate}})
	if err != nil {
		return nil, err
	}
	if err := f.sleepers(3, "86399"); err != nil {
		return nil, err
	}
	appArgs := []string{"--ca-file", ca, "--tls", "www=" + healthy, "--tls", "old=" + expiring, "--tls", "chain=file:" + fullchain,
		"--http", "api=" + appWeb + "/ok", "--http", "down=https://" + stall.Addr + "/", "-t", "2s",
		"--process", "sleepers=^sleep 86399$", "--host-context"}

	// The same journey against the login app twice: working, and with
	// every sign-in refused.
	var journeys []string
	for i, brk := range []string{"", "login"} {
		app := &fixture.LoginApp{User: demoUser, Password: demoPassword, Name: "monitor", Break: brk}
		url, err := f.serveHTTP(app, fixture.HTTPOptions{})
		if err != nil {
			return nil, err
		}
		path, err := f.write(fmt.Sprintf("login%d.yml", i+1), []byte(fixture.LoginJourney(url)))
		if err != nil {
			return nil, err
		}
		journeys = append(journeys, path)
	}

	// The catalog the checks above could be generated from.
	catalog, err := f.write("catalog.yaml", []byte(fmt.Sprintf(`services:
  demo:
    owner: "@demo-team"
    runbook: https://wiki.example.com/runbooks/demo
    roles: [web]
    http:
      - name: json
        url: %s/json
        expect: {jq: ['.status == "ok"']}
        action: "look at the queue workers"
    process:
      - name: worker
        select: {name: demo-worker}
        action: "systemctl restart demo-worker"
`, web)))
	if err != nil {
		return nil, err
	}
	broken, err := f.write("broken.yaml", []byte(`services:
  demo:
    owner: "@demo-team"
    roles: [web, db]
    http:
      - name: api
        url: https://api.example.com/
        headers: {Authorization: "Bearer 0123456789abcdef"}
        critical: 1s
        warning: 3s
`))
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(f.dir, "conf.d")

	return []scenario{
		{"The monitoring catalog: frontline check finds nothing wrong", "frontline", []string{"check", catalog}},
		{"A catalog with mistakes: one finding a line, FILE:LINE:COL, the secret never printed", "frontline", []string{"check", broken}},
		{"The agent configuration a host of demo:web includes", "frontline", []string{"agent-conf", catalog, "--role", "demo:web", "-o", conf}},
		{"An HTTP endpoint judged by what its JSON says, not by its status code", "check-http-e2e", []string{"-u", web + "/json", "--jq", ".status == \"ok\"", "--jq", ".queue.depth < 3"}},
		{"Redirects followed: the final URL is named, the OK text carries no latency", "check-http-e2e", []string{"-u", web + "/redirect/2", "--contains", "all good"}},
		{"A server that never answers: CRITICAL naming the phase, within the timeout", "check-http-e2e", []string{"-u", web + "/slow", "-t", "2s"}},
		{"HTTPS over HTTP/2 with the certificate's days judged too; the password stays ***", "check-http-e2e", []string{"-u", webTLS + "/auth", "--ca-file", ca, "--user", "monitor:${env:DEMO_PASSWORD}", "--cert-warning", "21"}},
		{"A login journey: form with CSRF token, sign-in, JSON API, sign-out, one cookie jar", "check-http-e2e", []string{"--scenario", journeys[0]}},
		{"The same journey when sign-in is refused: the failing step, what was expected, what came back", "check-http-e2e", []string{"--scenario", journeys[1]}},
		{"A healthy endpoint: the OK text is stable, so the agent sends it once", "check-tls-expiry", []string{"-H", healthy, "--ca-file", ca}},
		{"Three endpoints in one check, one expiring in 3 days", "check-tls-expiry", []string{"-H", healthy, "-H", expiring, "-u", "smtp://" + mail, "--ca-file", ca}},
		{"A fullchain file whose intermediate expires before the leaf", "check-tls-expiry", []string{"-f", fullchain}},
		{"A server that accepts TCP but never answers the handshake", "check-tls-expiry", []string{"-H", stall.Addr, "-t", "2s"}},
		{"The certificate is fine but not trusted: the reason and the days left", "check-tls-expiry", []string{"-H", healthy}},
		{"A rehearsal: the drill file sets the status, the real verdict rides along", "check-tls-expiry", []string{"-H", healthy, "--ca-file", ca, "--drill-file", drill}},
		{"A usage error exits 3 (UNKNOWN), never 1 (WARNING)", "check-tls-expiry", []string{"-H", healthy, "-w", "7", "-c", "14"}},
		{"Processes: two workers running; the OK text lists no PIDs", "check-process", []string{"-n", "demo-worker", "--label", "worker"}},
		{"Two groups, one missing: CRITICAL whatever the order", "check-process", []string{"-p", "demo-scheduler", "--label", "scheduler", "-n", "demo-worker", "--label", "worker"}},
		{"A pid file left behind by a crash", "check-process", []string{"--pidfile", pidfile, "--label", "app"}},
		{"Workers that started a moment ago: a crash loop", "check-process", []string{"-n", "demo-worker", "--min-age", "5m"}},
		{"-v lists the PIDs the OK text leaves out", "check-process", []string{"-n", "demo-worker", "-v"}},
		{"Graphs of the same targets: a stalled endpoint prints http_up 0, the rest print in full; no proc_cpu on a first run", "mackerel-plugin-app", appArgs},
		{"The next run takes proc_cpu from the state the first one left", "mackerel-plugin-app", appArgs},
	}, nil
}

// pluginRuns runs the demo's plugins one at a time, until stop ends the
// one running and refuses the rest.
type pluginRuns struct {
	mu      sync.Mutex
	stopped bool
	cmd     *exec.Cmd
	done    chan struct{}
}

var errStopped = errors.New("the demo is stopping")

func (p *pluginRuns) run(cmd *exec.Cmd) error {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return errStopped
	}
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		return err
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	defer close(done)
	return cmd.Wait()
}

// stop kills the plugin running now and waits, a few seconds at most,
// until it is gone.
func (p *pluginRuns) stop() {
	p.mu.Lock()
	p.stopped = true
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}
