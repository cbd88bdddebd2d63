package testutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const module = "github.com/frontline-sre/mackerel-frontline"

var (
	binMu    sync.Mutex
	binDir   string
	binBuilt = map[string]string{}
)

// Main runs a package's tests and removes the binaries they built.
// Use it as TestMain: func TestMain(m *testing.M) { testutil.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// Binary builds a plugin (its top-level folder name) once per test process
// the way the Makefile does (static, stripped) and returns its path. With
// FRONTLINE_BIN set to a folder of built plugins, those are used instead.
func Binary(t testing.TB, name string) string {
	t.Helper()
	if dir := os.Getenv("FRONTLINE_BIN"); dir != "" {
		path, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("FRONTLINE_BIN=%s: %v", dir, err)
		}
		return path
	}
	binMu.Lock()
	defer binMu.Unlock()
	if path, ok := binBuilt[name]; ok {
		return path
	}
	if binDir == "" {
		dir, err := os.MkdirTemp("", "frontline-bin-")
		if err != nil {
			t.Fatal(err)
		}
		binDir = dir
	}
	path := filepath.Join(binDir, name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X "+module+"/internal/core/version.Version=test", "-o", path, module+"/"+name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	binBuilt[name] = path
	return path
}

// Result is how a run of a binary ended.
type Result struct {
	Stdout, Stderr string
	Code           int
	Elapsed        time.Duration
	// MaxRSS is the most memory the process held, in bytes (zero where
	// the platform does not say).
	MaxRSS int64
}

// Run runs a binary with args and the test's environment plus env
// ("NAME=value"). A binary still running after a minute is killed and
// fails the test: no plugin may hang.
func Run(t testing.TB, bin string, env []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: time.Since(start), MaxRSS: maxRSS(cmd.ProcessState)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s %s: still running after a minute", filepath.Base(bin), strings.Join(args, " "))
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", bin, err)
	}
	return r
}

// Expect checks a run's exit code and that its stdout contains every one
// of wants, and returns the first line.
func (r Result) Expect(t testing.TB, code int, wants ...string) string {
	t.Helper()
	if r.Code != code {
		t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.Code, code, r.Stdout, r.Stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.Stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.Stdout)
		}
	}
	first, _, _ := strings.Cut(r.Stdout, "\n")
	return first
}

// ExpectMatch checks a run's exit code and that its stdout matches every
// one of the regular expressions patterns. Use it where a message carries
// a time the machine's load decides ("timed out after 1.9s" on a busy
// host for a 2 s deadline, since the phase starts after the process).
func (r Result) ExpectMatch(t testing.TB, code int, patterns ...string) {
	t.Helper()
	if r.Code != code {
		t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.Code, code, r.Stdout, r.Stderr)
	}
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(r.Stdout) {
			t.Errorf("stdout does not match %s:\n%s", p, r.Stdout)
		}
	}
}

// TimedOutAfter is a pattern for "timed out after" a time that ends within
// the last half second before d: the phase starts after the process, whose
// start the deadline runs from.
func TimedOutAfter(d time.Duration) string {
	var alts []string
	for s := d; s >= d-500*time.Millisecond && s > 0; s -= 10 * time.Millisecond {
		// Both ways a message writes seconds: 0.99s below one, 1.0s
		// from there (phase cannot be imported here: its tests use this
		// package).
		for _, format := range []string{"%.2fs", "%.1fs"} {
			alt := regexp.QuoteMeta(fmt.Sprintf(format, s.Seconds()))
			if !slices.Contains(alts, alt) {
				alts = append(alts, alt)
			}
		}
	}
	return "timed out after (" + strings.Join(alts, "|") + ")"
}

// String is the run for failure messages.
func (r Result) String() string {
	return fmt.Sprintf("exit %d after %s\n%s", r.Code, r.Elapsed, r.Stdout)
}

// SignalSettle is how long a run is given before a test signals it: the
// binaries leave the default action to signals for their first half
// second (see cli.listenAfter), and a loaded machine stretches that.
const SignalSettle = 1500 * time.Millisecond

// Interrupt sends sig to cmd, started at started, once the run has had
// SignalSettle to install its handlers and reached (when not nil) says it
// is where the test wants it, such as a server that saw its request. It
// returns when the signal was sent.
func Interrupt(t testing.TB, cmd *exec.Cmd, started time.Time, sig os.Signal, reached func() bool) time.Time {
	t.Helper()
	giveUp := time.Now().Add(30 * time.Second)
	for time.Since(started) < SignalSettle || (reached != nil && !reached()) {
		if time.Now().After(giveUp) {
			t.Fatalf("%s: not where the test wanted it after 30s", filepath.Base(cmd.Path))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %s: %v", sig, err)
	}
	return time.Now()
}

// ExpectREADMEShowsHelp fails the test unless the README.md in plugin's
// folder shows its --help word for word in a code block: the README's flag
// reference is the binary's own, so it cannot drift. It is called from the
// tests of the plugin's top-level folder, next to that README.
func ExpectREADMEShowsHelp(t testing.TB, plugin string) {
	t.Helper()
	path := filepath.Join("..", plugin, "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	help := Run(t, Binary(t, plugin), nil, "--help").Stdout
	if !strings.Contains(string(readme), "```\n"+help+"```\n") {
		t.Errorf("%s does not show the current --help; replace the block under Flags with:\n%s", filepath.ToSlash(filepath.Join(plugin, "README.md")), help)
	}
}
