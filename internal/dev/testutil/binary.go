package testutil

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const module = "github.com/frontline-sre/mackerel-frontline"

var (
	binMu    sync.Mutex
	binBuilt = map[string]string{}
)

// Main runs a package's tests. Binary leaves nothing to remove: it builds
// into one folder per checkout that every run reuses.
// Use it as TestMain: func TestMain(m *testing.M) { testutil.Main(m) }.
func Main(m *testing.M) {
	os.Exit(m.Run())
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
	path := build(t, name, "-s -w -X "+module+"/internal/core/version.Version=test")
	binBuilt[name] = path
	return path
}

// BinDir builds the named plugins and returns the one folder they are all
// in, for what finds plugins by folder: the agent's plugin commands,
// frontline's --plugin-dir, the demo.
func BinDir(t testing.TB, names ...string) string {
	t.Helper()
	dir := ""
	for _, name := range names {
		dir = filepath.Dir(Binary(t, name))
	}
	return dir
}

// DevCommand builds internal/dev/cmd/<name> once per test process, as
// Binary builds a plugin, and returns its path.
func DevCommand(t testing.TB, name string) string {
	t.Helper()
	binMu.Lock()
	defer binMu.Unlock()
	pkg := "internal/dev/cmd/" + name
	if path, ok := binBuilt[pkg]; ok {
		return path
	}
	path := build(t, pkg, "")
	binBuilt[pkg] = path
	return path
}

// build builds the module's package pkg, static, into the checkout's
// folder in the user's cache and returns the binary's path. That folder
// is the same for every run, so that a run that ends in any way (a panic,
// a -timeout, Ctrl-C) leaves no folder behind: the next run builds over
// it.
func build(t testing.TB, pkg, ldflags string) string {
	t.Helper()
	dir := binCacheDir(t)
	name := filepath.Base(pkg)
	staging, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(staging)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(staging, name), module+"/"+pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, out)
	}
	// Packages test in parallel processes: a rename is atomic, so each
	// sees a whole binary, and one already running keeps its own.
	path := filepath.Join(dir, name)
	if err := os.Rename(filepath.Join(staging, name), path); err != nil {
		t.Fatal(err)
	}
	return path
}

// binCacheDir is the folder Binary builds into: one per checkout of the
// module, found from go.mod, so that two checkouts never run each
// other's binaries.
func binCacheDir(t testing.TB) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	sum := sha256.Sum256(bytes.TrimSpace(out))
	dir := installCacheDir(t, "test-bin-"+hex.EncodeToString(sum[:6]))
	// A build cut short (the run killed mid-build) left its staging
	// folder; one an hour old is no other run's.
	stale, _ := filepath.Glob(filepath.Join(dir, ".build-*"))
	for _, path := range stale {
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > time.Hour {
			os.RemoveAll(path)
		}
	}
	return dir
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

// seconds is a pattern for a time as messages write it ("0.41s",
// "10.0s"; phase cannot be imported here: its tests use this package).
const seconds = `[0-9]+\.[0-9]{1,2}s`

// DeadlineEnded is a pattern for what a run says when its deadline ended
// phase (such as "tls") on addr, the target being named label in the
// run's own verdict: that verdict (TimedOut), or the watchdog's
// (StillInProgress) when a starved machine ran the run too late to give
// its own. Both name the phase.
func DeadlineEnded(label, phase, addr string) string {
	return "(?:" + TimedOut(label, phase) + "|" + StillInProgress(phase, addr) + ")"
}

// TimedOut is a pattern for a run's own verdict on a phase its deadline
// ended: "LABEL: tls: timed out after 2.0s". The time in it is the
// machine's: the phase starts after the process, whose start the deadline
// runs from, and a busy scheduler stretches both; scripts/bench.sh
// measures it.
func TimedOut(label, phase string) string {
	return regexp.QuoteMeta(label) + ": " + regexp.QuoteMeta(phase) + ": timed out after " + seconds
}

// StillInProgress is a pattern for the watchdog's verdict on a phase that
// outlived the deadline: "tls ADDR: still in progress after 2.6s, past the
// 2s deadline".
func StillInProgress(phase, addr string) string {
	return regexp.QuoteMeta(phase) + " " + regexp.QuoteMeta(addr) + ": still in progress after " + seconds + ", past the [^ ]+ deadline"
}

// PhaseEnded is a pattern for a phase its deadline ended, as a phase
// error words it ("ttfb ADDR: timed out after 2.0s") or, on a machine too
// starved for the run to give its own verdict, as the watchdog does ("ttfb
// ADDR: still in progress after 2.6s, past the 2s deadline").
func PhaseEnded(phase, addr string) string {
	return regexp.QuoteMeta(phase) + " " + regexp.QuoteMeta(addr) + ": (?:timed out after " + seconds +
		"|still in progress after " + seconds + ", past the [^ ]+ deadline)"
}

// Starved is how long a test lets a run with deadline d take before it
// calls the deadline broken: twenty times d. A machine busy with other
// work starts and schedules a run seconds late, so a test asserts that
// the deadline ended the run and what the run said, not how close to d it
// ended; the "timeout + 1 s" promise is measured by scripts/bench.sh's
// deadline rows instead.
func Starved(d time.Duration) time.Duration { return 20 * d }

// ExpectEndedBy fails the test unless the run ended within Starved(d) of
// its start: the deadline d ended it, however busy the machine.
func (r Result) ExpectEndedBy(t testing.TB, d time.Duration) {
	t.Helper()
	if r.Elapsed > Starved(d) {
		t.Errorf("ran %s with a %s deadline: the deadline did not end it\n%s", r.Elapsed, d, r)
	}
}

// String is the run for failure messages.
func (r Result) String() string {
	return fmt.Sprintf("exit %d after %s\n%s", r.Code, r.Elapsed, r.Stdout)
}

// SignalSettle is how long a run is given before a test signals it: the
// binaries leave the default action to signals for their first half
// second (see cli.listenAfter), and a loaded machine starts a process and
// wakes its timer late: a signal that came first would kill the run
// before it could report, so the wait is six times that half second.
const SignalSettle = 3 * time.Second

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
