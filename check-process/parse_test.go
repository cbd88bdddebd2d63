package main

import (
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/proccheck"
)

// proccheck.ParseArgs, which a catalog links to check the command lines it
// writes, refuses what the binary refuses, in the same words.
func TestParseArgsSaysWhatTheBinarySays(t *testing.T) {
	bin := testutil.Binary(t, "check-process")
	parse := func(args []string) error { _, err := proccheck.ParseArgs(args); return err }
	for _, args := range [][]string{
		{"--bogus"},
		{"-p", "("},
		{"--count", "1", "-n", "nginx"},
		{"-n", "nginx", "--label", "a", "--label", "b"},
		{"-n", "nginx", "--state", "Q"},
		{"-n", "nginx", "-x", "["},
		{"-n", "nginx", "--ppid", "x"},
		{"-n", "nginx", "-u", "no-such-user-here"},
		{"-n", "nginx", "--cpu-warning", "50", "--cpu-sample", "20s"},
	} {
		testutil.ExpectUsage(t, bin, "PROCESS", parse, args...)
	}
	if _, err := proccheck.ParseArgs([]string{"-n", "nginx", "--count", "1.."}); err != nil {
		t.Errorf("a valid command line: %v", err)
	}
}
