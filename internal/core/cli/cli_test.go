package cli_test

import (
	"context"
	"errors"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/version"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

var plugin = cli.Plugin{Name: "check-fake", Tag: "FAKE", Usage: "[OPTIONS] TARGET..."}

// fake is a check whose Prepare and Run do what the test says, and which
// records what it was given.
type fake struct {
	cli.CheckOptions
	Level string `short:"l" long:"level" value-name:"WORD" description:"a flag of the plugin's own"`

	prepareErr error
	run        func(ctx context.Context) *check.Report

	prepared []string
	deadline time.Time
	ran      bool
}

func (f *fake) Prepare(_ context.Context, args []string) error {
	f.prepared = args
	return f.prepareErr
}

func (f *fake) Run(ctx context.Context) *check.Report {
	f.ran = true
	f.deadline, _ = ctx.Deadline()
	if f.run != nil {
		return f.run(ctx)
	}
	return &check.Report{
		Findings:  []check.Finding{{Status: check.OK, Text: "a fine"}, {Status: check.OK, Text: "b fine"}},
		OKVerdict: "2 targets fine",
	}
}

func runCheck(t *testing.T, f *fake, args ...string) (int, string) {
	t.Helper()
	var out, errs strings.Builder
	defer cli.Restart(&errs)()
	code := cli.RunCheck(plugin, f, args, &out)
	if strings.Contains(out.String(), "internal error") && !strings.Contains(out.String(), "no report") && !strings.Contains(errs.String(), "goroutine ") {
		t.Errorf("a panic's stack is not on stderr: %q", errs.String())
	}
	return code, out.String()
}

func TestRunCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		check   *fake
		args    []string
		code    int
		want    string // the whole output
		wantRun bool
	}{
		{
			name: "ok", check: &fake{}, args: []string{"a", "b"},
			code: 0, want: "FAKE OK: 2 targets fine\n", wantRun: true,
		},
		{
			name: "verbose reaches the report", check: &fake{}, args: []string{"-v"},
			code: 0, want: "FAKE OK: 2 targets fine\nOK: a fine\nOK: b fine\n", wantRun: true,
		},
		{
			name: "status is the exit code",
			check: &fake{run: func(context.Context) *check.Report {
				return &check.Report{Findings: []check.Finding{{Status: check.OK, Text: "a"}, {Status: check.CRITICAL, Text: "b expired"}}}
			}},
			code: 2, want: "FAKE CRITICAL: b expired\nOK: 1 more target\n", wantRun: true,
		},
		{
			name: "usage error from Prepare", check: &fake{prepareErr: errors.New("no target: give -H HOST")},
			code: 3, want: "FAKE UNKNOWN: no target: give -H HOST; see check-fake --help\n",
		},
		{
			name: "multi-line usage error is one line", check: &fake{prepareErr: errors.New("bad value\n\tfor  -x")},
			code: 3, want: "FAKE UNKNOWN: bad value for -x; see check-fake --help\n",
		},
		{
			name: "unknown long flag", check: &fake{}, args: []string{"--bogus"},
			code: 3, want: "FAKE UNKNOWN: unknown flag --bogus; see check-fake --help for the flags\n",
		},
		{
			name: "unknown short flag", check: &fake{}, args: []string{"-z"},
			code: 3, want: "FAKE UNKNOWN: unknown flag -z; see check-fake --help for the flags\n",
		},
		{
			name: "flag without its value", check: &fake{}, args: []string{"--level"},
			code: 3, want: "FAKE UNKNOWN: -l, --level needs a value; see check-fake --help\n",
		},
		{
			name: "zero timeout", check: &fake{}, args: []string{"-t", "0"},
			code: 3, want: `FAKE UNKNOWN: invalid value for -t, --timeout: "0" is not a positive duration: write 10s, 1m30s or a number of seconds; see check-fake --help` + "\n",
		},
		{
			name: "bad timeout", check: &fake{}, args: []string{"--timeout=soon"},
			code: 3, want: `FAKE UNKNOWN: invalid value for -t, --timeout: "soon" is not a duration: write 10s, 1m30s or a number of seconds; see check-fake --help` + "\n",
		},
		{
			name: "panic in Run",
			check: &fake{run: func(context.Context) *check.Report {
				panic("index out of range [3] with length 3")
			}},
			code: 3, want: "FAKE UNKNOWN: internal error: index out of range [3] with length 3 (this is a bug; please report it with the command line)\n", wantRun: true,
		},
		{
			name: "panic in another goroutine of the run",
			check: &fake{run: func(ctx context.Context) *check.Report {
				goroutine.Go(func() { panic("lost in a helper") })
				<-ctx.Done() // the run goes on: the panic must end it
				return nil
			}},
			code: 3, want: "FAKE UNKNOWN: internal error: lost in a helper (this is a bug; please report it with the command line)\n", wantRun: true,
		},
		{
			name:  "no findings is never OK",
			check: &fake{run: func(context.Context) *check.Report { return &check.Report{OKVerdict: "0 targets"} }},
			code:  3, want: "FAKE UNKNOWN: nothing was checked\n", wantRun: true,
		},
		{
			name: "a finding cannot forge a line",
			check: &fake{run: func(context.Context) *check.Report {
				return &check.Report{Findings: []check.Finding{{Status: check.CRITICAL, Text: "CN=x\nFAKE OK: forged"}}}
			}},
			code: 2, want: `FAKE CRITICAL: CN=x\nFAKE OK: forged` + "\n", wantRun: true,
		},
		{
			name: "a usage error cannot forge a line", check: &fake{prepareErr: errors.New("bad host \"a\x1b[2J\u2028FAKE OK: x\"")},
			code: 3, want: `FAKE UNKNOWN: bad host "a\x1b[2J FAKE OK: x"; see check-fake --help` + "\n",
		},
		{
			name: "bad --drill-max-age", check: &fake{}, args: []string{"--drill-max-age", "soon"},
			code: 3, want: `FAKE UNKNOWN: invalid value for --drill-max-age: "soon" is not a duration: write 10s, 1m30s or a number of seconds; see check-fake --help` + "\n",
		},
		{
			name:  "nil report",
			check: &fake{run: func(context.Context) *check.Report { return nil }},
			code:  3, wantRun: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runCheck(t, tc.check, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; output:\n%s", code, tc.code, out)
			}
			if tc.want != "" && out != tc.want {
				t.Errorf("output:\n got %q\nwant %q", out, tc.want)
			}
			if code == 3 && (strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "FAKE UNKNOWN: ")) {
				t.Errorf("an UNKNOWN must be one line starting FAKE UNKNOWN:, got %q", out)
			}
			if strings.Contains(out, "goroutine") || strings.Contains(out, ".go:") {
				t.Errorf("output shows a stack trace:\n%s", out)
			}
			if tc.check.ran != tc.wantRun {
				t.Errorf("Run called: %v, want %v", tc.check.ran, tc.wantRun)
			}
		})
	}
}

func TestRunCheckArgs(t *testing.T) {
	f := &fake{}
	if code, out := runCheck(t, f, "-l", "high", "one", "--", "-two"); code != 0 {
		t.Fatalf("exit code %d: %s", code, out)
	}
	if f.Level != "high" {
		t.Errorf("--level = %q, want high", f.Level)
	}
	if got, want := strings.Join(f.prepared, " "), "one -two"; got != want {
		t.Errorf("Prepare got args %q, want %q", got, want)
	}
}

func TestRunCheckHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		t.Run(arg, func(t *testing.T) {
			f := &fake{}
			code, out := runCheck(t, f, arg)
			if code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
			for _, want := range []string{"Usage:", "check-fake [OPTIONS] TARGET...", "--timeout", "--drill-file", "--drill-max-age", "--level"} {
				if !strings.Contains(out, want) {
					t.Errorf("usage lacks %q:\n%s", want, out)
				}
			}
			if f.ran {
				t.Errorf("--help ran the check")
			}
		})
	}
}

func TestRunCheckVersion(t *testing.T) {
	defer func(v, c string) { version.Version, version.Commit = v, c }(version.Version, version.Commit)
	version.Version, version.Commit = "v1.2.3", "abc1234"
	f := &fake{}
	code, out := runCheck(t, f, "--version")
	if code != 0 || out != "check-fake v1.2.3 (abc1234)\n" {
		t.Errorf("--version: exit %d, output %q; want exit 0, %q", code, out, "check-fake v1.2.3 (abc1234)\n")
	}
	if f.ran {
		t.Errorf("--version ran the check")
	}
}

func TestRunCheckDeadline(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{nil, 10 * time.Second},
		{[]string{"-t", "2.5"}, 2500 * time.Millisecond},
		{[]string{"--timeout", "1m30s"}, 90 * time.Second},
	} {
		t.Run(strings.Join(append([]string{"timeout"}, tc.args...), " "), func(t *testing.T) {
			f := &fake{}
			before := time.Now()
			if code, out := runCheck(t, f, tc.args...); code != 0 {
				t.Fatalf("exit code %d: %s", code, out)
			}
			after := time.Now()
			if f.deadline.Before(before.Add(tc.want)) || f.deadline.After(after.Add(tc.want)) {
				t.Errorf("Run's deadline is %v after the start, want %v", f.deadline.Sub(before), tc.want)
			}
		})
	}
}

func TestRunCheckDrill(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	stale := func(path string) string {
		testutil.SetModTime(t, path, time.Now().Add(-3*time.Hour))
		return path
	}
	for _, tc := range []struct {
		name string
		path string
		code int
		want string
	}{
		{"drill", write("drill", "Critical game day 3\n"), 2, "FAKE CRITICAL: [DRILL] game day 3 (real: OK 2 targets fine)\n"},
		{"absent drill file", filepath.Join(dir, "absent"), 0, "FAKE OK: 2 targets fine\n"},
		{"malformed drill file", write("typo", "critcal\n"), 3, "FAKE UNKNOWN: drill file " + filepath.Join(dir, "typo") + ` starts with "critcal": the first word must be ok, warning, critical or unknown (real: OK 2 targets fine)` + "\n"},
		{"drill better than the real status", write("ok", "ok all quiet\n"), 0, "FAKE OK: [DRILL] all quiet (real: OK 2 targets fine)\n"},
		{"stale drill file", stale(write("stale", "critical game day\n")), 1, "FAKE WARNING: stale drill file " + filepath.Join(dir, "stale") + " (last modified 3h ago, over --drill-max-age 2h) no longer sets the status: remove it (real: OK 2 targets fine)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			code, out := runCheck(t, f, "--drill-file", tc.path)
			if code != tc.code || out != tc.want {
				t.Errorf("exit %d, output %q; want exit %d, %q", code, out, tc.code, tc.want)
			}
			if !f.ran {
				t.Errorf("a drill must still run the check")
			}
		})
	}
}

// The flag's default is written in a struct tag, which cannot name a
// constant: this keeps it what check documents.
func TestDrillMaxAgeDefault(t *testing.T) {
	var opts cli.CheckOptions
	if _, err := cli.Parse(plugin, &opts, nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(opts.DrillMaxAge); got != check.DefaultDrillMaxAge {
		t.Errorf("--drill-max-age defaults to %s, check.DefaultDrillMaxAge is %s", got, check.DefaultDrillMaxAge)
	}
}

// TestRunCheckMasksOutput: whatever the run prints, its message and what
// the standard logger got (net/http logs a server's unasked-for bytes
// there) is masked with the process's masker; log lines are escaped, cut
// and counted.
func TestRunCheckMasksOutput(t *testing.T) {
	const pw = "cli-Secret-9f8e7d"
	f := &fake{run: func(context.Context) *check.Report {
		secret.Process().Add(pw)
		for range 7 {
			log.Printf("Unsolicited response received on idle HTTP channel starting with %q", "GET / HTTP/1.1\r\nX-Pw: "+pw+"\r\n\x1b[31m"+strings.Repeat("x", 500))
		}
		return &check.Report{Findings: []check.Finding{{Status: check.CRITICAL, Text: "server said " + pw[:12]}}}
	}}
	var out, errs strings.Builder
	restore := cli.Restart(&errs)
	code := cli.RunCheck(plugin, f, nil, &out)
	restore()
	if code != 2 || out.String() != "FAKE CRITICAL: server said ***\n" {
		t.Errorf("RunCheck = %d, %q", code, out.String())
	}
	lines := strings.Split(strings.TrimSuffix(errs.String(), "\n"), "\n")
	if len(lines) != 6 || lines[5] != "(more log lines left out)" {
		t.Fatalf("stderr has %d lines, want 5 and a note:\n%s", len(lines), errs.String())
	}
	for _, l := range lines[:5] {
		if !strings.Contains(l, `X-Pw: ***\r\n\x1b[31mxxx`) || utf8.RuneCountInString(l) > 300 || !strings.HasSuffix(l, "…") {
			t.Errorf("log line not masked and cut: %q", l)
		}
	}
	if strings.Contains(out.String()+errs.String(), pw[:8]) {
		t.Errorf("output shows the secret:\n%s%s", out.String(), errs.String())
	}
}
