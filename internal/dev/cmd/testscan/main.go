// Command testscan runs go test and fails the run on a skipped test whose
// reason is not explained in an allow-list. A test that skips silently in
// CI is a test that never runs: each reason a skip is acceptable for (no
// IPv6 loopback on the machine, a permission test run as root) is written
// down, and anything else fails.
//
// Usage:
//
//	testscan -allow FILE -- [go test flags] PACKAGES...
//
// It runs "go test -json" with the arguments, prints what plain go test
// would (package results, and the output of failed tests), then lists the
// skips. The allow-list holds one regular expression per line, matched
// against a skip's message; blank lines and lines starting with # are
// comments. The exit status is go test's when it failed, else 1 when a
// skip is not explained.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

func main() {
	allowFile := flag.String("allow", "", "`FILE` of regular expressions for the skip messages that are explained")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: testscan -allow FILE -- [go test flags] PACKAGES...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *allowFile == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	allow, err := readAllow(*allowFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testscan: %v\n", err)
		os.Exit(2)
	}
	os.Exit(run(flag.Args(), allow, os.Stdout, os.Stderr))
}

// run runs go test with args and returns the exit status.
func run(args []string, allow []*regexp.Regexp, stdout, stderr io.Writer) int {
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(stderr, "testscan: %v\n", err)
		return 2
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "testscan: %v\n", err)
		return 2
	}
	skips, scanErr := scan(out, stdout)
	// Drain what is left so that go test never blocks on a full pipe.
	io.Copy(io.Discard, out)
	err = cmd.Wait()
	status := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitCode()
	case err != nil:
		fmt.Fprintf(stderr, "testscan: go test: %v\n", err)
		status = 2
	}
	if scanErr != nil {
		fmt.Fprintf(stderr, "testscan: reading go test -json: %v\n", scanErr)
		status = 2
	}
	if report(skips, allow, stdout) && status == 0 {
		status = 1
	}
	fmt.Fprintf(stdout, "testscan: go test %s: exit %d after %s, %d skipped\n", strings.Join(args, " "), status, time.Since(start).Round(100*time.Millisecond), len(skips))
	return status
}

// event is a line of go test -json (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output
	Test       string
	Output     string
}

// skip is a skipped test and the message it gave.
type skip struct {
	pkg, test, reason string
}

// logLine is a t.Log or t.Skip line: "    file_test.go:12: message".
var logLine = regexp.MustCompile(`^\s+[^\s:]+\.go:\d+: (.*)$`)

// scan reads go test -json events, prints what plain go test would and
// returns the skipped tests.
func scan(r io.Reader, w io.Writer) ([]skip, error) {
	type key struct{ pkg, test string }
	outputs := map[key][]string{}
	var skips []skip
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event: go test printed it itself.
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		k := key{e.Package, e.Test}
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output)
		case e.Test == "":
			// Package results ("ok", "FAIL", panics outside a test).
			if e.Action == "output" {
				fmt.Fprint(w, e.Output)
			}
		case e.Action == "output":
			outputs[k] = append(outputs[k], e.Output)
		case e.Action == "fail":
			fmt.Fprint(w, strings.Join(outputs[k], ""))
			delete(outputs, k)
		case e.Action == "skip":
			skips = append(skips, skip{e.Package, e.Test, reason(outputs[k])})
			delete(outputs, k)
		case e.Action == "pass":
			delete(outputs, k)
		}
	}
	return skips, sc.Err()
}

// reason is the last message a test logged: the one t.Skip gave.
func reason(output []string) string {
	msg := ""
	for _, o := range output {
		if m := logLine.FindStringSubmatch(strings.TrimRight(o, "\n")); m != nil {
			msg = m[1]
		}
	}
	return msg
}

// report lists the skips and says whether any is not explained.
func report(skips []skip, allow []*regexp.Regexp, w io.Writer) (unexplained bool) {
	var bad []skip
	for _, s := range skips {
		if explained(s.reason, allow) {
			fmt.Fprintf(w, "skip (explained): %s %s: %s\n", s.pkg, s.test, s.reason)
			continue
		}
		bad = append(bad, s)
	}
	for _, s := range bad {
		r := s.reason
		if r == "" {
			r = "(no message)"
		}
		fmt.Fprintf(w, "SKIP NOT EXPLAINED: %s %s: %s\n", s.pkg, s.test, r)
	}
	if len(bad) > 0 {
		fmt.Fprintf(w, "FAIL: %d skipped test(s) with a reason not in the allow-list: make the test run here, or add its reason to the allow-list with why it cannot\n", len(bad))
	}
	return len(bad) > 0
}

func explained(reason string, allow []*regexp.Regexp) bool {
	if reason == "" {
		return false
	}
	for _, re := range allow {
		if re.MatchString(reason) {
			return true
		}
	}
	return false
}

func readAllow(path string) ([]*regexp.Regexp, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var res []*regexp.Regexp
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		re, err := regexp.Compile(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		res = append(res, re)
	}
	return res, nil
}
