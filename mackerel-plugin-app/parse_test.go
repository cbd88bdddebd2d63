package main

import (
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/appmetrics"
)

// appmetrics.ParseArgs, which a catalog links to check the command lines
// it writes, refuses what the binary refuses, in the same words.
func TestParseArgsSaysWhatTheBinarySays(t *testing.T) {
	bin := testutil.Binary(t, "mackerel-plugin-app")
	parse := func(args []string) error { _, err := appmetrics.ParseArgs(args); return err }
	for _, args := range [][]string{
		{"--bogus"},
		{},
		{"--tls", "a=127.0.0.1:1", "--ca-file", "/dev/null", "--no-verify"},
		{"--tls", "a=127.0.0.1:1", "--ca-file", "/nonexistent"},
		{"--process", "a=("},
		{"--process", "a=unit:"},
		{"--http", "a=ftp://x/"},
		{"--tls", "a=x:1", "--tls", "a=y:1"},
		{"--prefix", "a b", "--host-context"},
		{"--config", "/nonexistent"},
	} {
		testutil.ExpectUsage(t, bin, "", parse, args...)
	}
	if _, err := appmetrics.ParseArgs([]string{"--tls", "a=127.0.0.1:1", "--process", "p=name:sshd"}); err != nil {
		t.Errorf("a valid command line: %v", err)
	}
}
