package main

import (
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry"
)

// tlsexpiry.ParseArgs, which a catalog links to check the command lines it
// writes, refuses what the binary refuses, in the same words.
func TestParseArgsSaysWhatTheBinarySays(t *testing.T) {
	bin := testutil.Binary(t, "check-tls-expiry")
	parse := func(args []string) error { _, err := tlsexpiry.ParseArgs(args); return err }
	for _, args := range [][]string{
		{"--bogus"},
		{"-4", "-6", "example.com"},
		{"--no-check-certificate", "--ca-file", "/nonexistent", "example.com"},
		{"--cert-file", "/nonexistent", "example.com"},
		{"--starttls", "gopher", "example.com"},
		{"-w", "10", "-c", "20", "example.com"},
		{"--ca-file", "/nonexistent", "example.com"},
	} {
		testutil.ExpectUsage(t, bin, "TLS", parse, args...)
	}
	if _, err := tlsexpiry.ParseArgs([]string{"-p", "8443", "example.com"}); err != nil {
		t.Errorf("a valid command line: %v", err)
	}
}
