//go:build linux

package main

import (
	"os"
	"strings"
	"testing"
)

// The README's flag reference is the binary's --help, so it cannot drift.
func TestREADMEShowsHelp(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	help := run(t, "--help").Stdout
	if !strings.Contains(string(readme), "```\n"+help+"```\n") {
		t.Errorf("README.md does not show the current --help; replace the block under check-process's Flags with:\n%s", help)
	}
}
