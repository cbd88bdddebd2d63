package cli_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// A run the watchdog must end takes the process with it, so those tests
// re-run this test binary as a child that plays the plugin.
func TestMain(m *testing.M) {
	if mode := os.Getenv("CLI_TEST_CHILD"); mode != "" {
		os.Exit(child(mode))
	}
	os.Exit(m.Run())
}

var sink int

func child(mode string) int {
	args := strings.Fields(os.Getenv("CLI_TEST_ARGS"))
	if mode == "metric" {
		m := &fakeMetric{run: func(ctx context.Context, w io.Writer) error {
			fmt.Fprint(w, "app.a\t1\t1700000000\n")
			fmt.Fprint(w, "app.b\t2") // half a line, then stuck
			end := inflight.Begin(ctx, "reading /proc/42/stat", check.UNKNOWN)
			defer end()
			select {}
		}}
		return cli.RunMetric(metricPlugin, m, args, os.Stdout, os.Stderr)
	}
	f := &fake{run: func(ctx context.Context) *check.Report {
		switch mode {
		case "spin": // CPU work that never looks at ctx
			inflight.Begin(ctx, "verifying 10.0.0.5:443", check.CRITICAL)
			for i := 0; ; i++ {
				sink += i
			}
		case "fifo": // a read blocked in the kernel
			path := os.Getenv("CLI_TEST_FIFO")
			inflight.Begin(ctx, "reading "+path, check.UNKNOWN)
			f, err := os.Open(path)
			if err == nil {
				f.Close()
			}
		case "silent": // stuck, with nothing recorded
			select {}
		}
		return &check.Report{Findings: []check.Finding{{Status: check.OK, Text: "unexpectedly done"}}}
	}}
	return cli.RunCheck(plugin, f, args, os.Stdout)
}

type childRun struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// startChild starts this test binary as a plugin run in mode.
func startChild(t *testing.T, mode string, env []string, args ...string) (*exec.Cmd, *strings.Builder, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "CLI_TEST_CHILD="+mode, "CLI_TEST_ARGS="+strings.Join(args, " "))...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, &stdout, &stderr
}

func wait(t *testing.T, cmd *exec.Cmd, stdout, stderr *strings.Builder, started time.Time) childRun {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("child still running after a minute: the watchdog did not end it\nstdout: %s", stdout)
	}
	return childRun{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode(), time.Since(started)}
}

func TestWatchdogEndsARunThatIgnoresItsContext(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode string
		code int
		want string
	}{
		{"spin", 2, "FAKE CRITICAL: verifying 10.0.0.5:443: still in progress after "},
		{"fifo", 3, "FAKE UNKNOWN: reading " + fifo + ": still in progress after "},
		{"silent", 2, "FAKE CRITICAL: still running after "},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			started := time.Now()
			cmd, stdout, stderr := startChild(t, tc.mode, []string{"CLI_TEST_FIFO=" + fifo}, "-t", "2")
			r := wait(t, cmd, stdout, stderr, started)
			if r.code != tc.code || !strings.HasPrefix(r.stdout, tc.want) || !strings.HasSuffix(r.stdout, ", past the 2s deadline\n") {
				t.Errorf("exit %d, stdout %q; want exit %d and %q... past the 2s deadline", r.code, r.stdout, tc.code, tc.want)
			}
			// The promise is timeout + 1 s, whatever the run does: the
			// watchdog fires at timeout + 0.5 s. A loaded machine starts
			// and schedules the child late, so what is asserted is that
			// the watchdog ended it (its verdict above); scripts/bench.sh
			// measures how close to the deadline.
			if r.elapsed > testutil.Starved(2*time.Second) {
				t.Errorf("took %s with -t 2: the watchdog did not end it", r.elapsed)
			}
		})
	}
}

// SIGTERM ends a run that ignores its context too, naming what it was doing.
func TestSIGTERMEndsARunThatIgnoresItsContext(t *testing.T) {
	started := time.Now()
	cmd, stdout, stderr := startChild(t, "spin", nil, "-t", "20")
	// Past listenAfter, as an agent's timeout_seconds always is.
	testutil.Interrupt(t, cmd, started, syscall.SIGTERM, nil)
	r := wait(t, cmd, stdout, stderr, started)
	if want := "FAKE CRITICAL: verifying 10.0.0.5:443: stopped after "; r.code != 2 || !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stdout, "(the check was terminated)") {
		t.Errorf("exit %d, stdout %q; want exit 2, %q... (the check was terminated)", r.code, r.stdout, want)
	}
	if r.elapsed > testutil.Starved(time.Second) {
		t.Errorf("took %s after SIGTERM with -t 20: must end at once", r.elapsed)
	}
}

func TestWatchdogMetricPrintsNoHalfLine(t *testing.T) {
	started := time.Now()
	cmd, stdout, stderr := startChild(t, "metric", nil, "-t", "1")
	r := wait(t, cmd, stdout, stderr, started)
	if r.code != 3 || r.stdout != "app.a\t1\t1700000000\n" {
		t.Errorf("exit %d, stdout %q; want exit 3 and the one complete line", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "mackerel-plugin-fake: reading /proc/42/stat: still in progress after ") {
		t.Errorf("stderr does not name what was in progress: %q", r.stderr)
	}
	if r.elapsed > testutil.Starved(time.Second) {
		t.Errorf("took %s with -t 1: the watchdog did not end it", r.elapsed)
	}
}

var metricPlugin = cli.Plugin{Name: "mackerel-plugin-fake", Tag: "FAKEAPP", Usage: "[OPTIONS]"}

type fakeMetric struct {
	cli.CommonOptions
	Prefix string `long:"prefix" default:"app" description:"metric name prefix"`

	prepareErr error
	run        func(ctx context.Context, w io.Writer) error
	ran        bool
}

func (m *fakeMetric) Prepare(context.Context, []string) error { return m.prepareErr }

func (m *fakeMetric) Run(ctx context.Context, w io.Writer) error {
	m.ran = true
	if m.run != nil {
		return m.run(ctx, w)
	}
	fmt.Fprintf(w, "%s.a\t1\t1700000000\n%s.b\t2\t1700000000\n", m.Prefix, m.Prefix)
	return nil
}

func TestRunMetric(t *testing.T) {
	for _, tc := range []struct {
		name           string
		metric         *fakeMetric
		args           []string
		code           int
		stdout, stderr string // stderr: a prefix
	}{
		{name: "ok", metric: &fakeMetric{}, args: []string{"--prefix", "x"},
			stdout: "x.a\t1\t1700000000\nx.b\t2\t1700000000\n"},
		{name: "unknown flag", metric: &fakeMetric{}, args: []string{"--drill-file", "/d"}, code: 3,
			stderr: "FAKEAPP UNKNOWN: unknown flag --drill-file; see mackerel-plugin-fake --help for the flags\n"},
		{name: "bad timeout", metric: &fakeMetric{}, args: []string{"-t", "0"}, code: 3,
			stderr: `FAKEAPP UNKNOWN: invalid value for -t, --timeout: "0" is not a positive duration`},
		{name: "usage error from Prepare", metric: &fakeMetric{prepareErr: errors.New("NAME a.b: write [A-Za-z0-9_-]+")}, code: 3,
			stderr: "FAKEAPP UNKNOWN: NAME a.b: write [A-Za-z0-9_-]+; see mackerel-plugin-fake --help\n"},
		{name: "failed run prints only complete lines",
			metric: &fakeMetric{run: func(_ context.Context, w io.Writer) error {
				fmt.Fprint(w, "app.a\t1\t1\napp.b\t")
				return errors.New("state file: permission denied")
			}},
			code: 3, stdout: "app.a\t1\t1\n", stderr: "mackerel-plugin-fake: state file: permission denied\n"},
		{name: "panic prints nothing on stdout",
			metric: &fakeMetric{run: func(_ context.Context, w io.Writer) error {
				fmt.Fprint(w, "app.a\t1\t1\n")
				panic("nil map")
			}},
			code: 3, stderr: "mackerel-plugin-fake: internal error: nil map (this is a bug; please report it with the command line)\npanic: nil map\n\ngoroutine "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			defer cli.Restart(io.Discard)()
			code := cli.RunMetric(metricPlugin, tc.metric, tc.args, &stdout, &stderr)
			if code != tc.code || stdout.String() != tc.stdout || !strings.HasPrefix(stderr.String(), tc.stderr) || (tc.stderr == "") != (stderr.Len() == 0) {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant exit %d\nstdout %q\nstderr %q...", code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

func TestRunMetricHelpAndVersion(t *testing.T) {
	var stdout, stderr strings.Builder
	defer cli.Restart(io.Discard)()
	m := &fakeMetric{}
	if code := cli.RunMetric(metricPlugin, m, []string{"--help"}, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
		t.Errorf("--help: exit %d, stderr %q", code, stderr.String())
	}
	for _, want := range []string{"mackerel-plugin-fake [OPTIONS]", "--timeout", "--version", "--prefix"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, not := range []string{"--drill-file", "--verbose"} {
		if strings.Contains(stdout.String(), not) {
			t.Errorf("a metric plugin's --help shows the check flag %s", not)
		}
	}
	stdout.Reset()
	if code := cli.RunMetric(metricPlugin, m, []string{"--version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "mackerel-plugin-fake ") {
		t.Errorf("--version: exit %d, stdout %q", code, stdout.String())
	}
	if m.ran {
		t.Error("--help or --version ran the plugin")
	}
}
