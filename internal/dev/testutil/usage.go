package testutil

import (
	"path/filepath"
	"strings"
	"testing"
)

// ExpectUsage runs bin with args, and checks that it exits 3 with the
// usage error parse gives for the same args: a plugin's parser, linked by
// another program, refuses what the binary refuses in the same words.
// tag is the check's (TLS), or "" for a metric plugin, whose usage errors
// go to stderr under its name.
func ExpectUsage(t *testing.T, bin, tag string, parse func([]string) error, args ...string) {
	t.Helper()
	err := parse(args)
	if err == nil {
		t.Fatalf("%s: parse accepts it", strings.Join(args, " "))
	}
	r := Run(t, bin, nil, args...)
	got, prefix := r.Stdout, tag
	if tag == "" {
		got, prefix = r.Stderr, filepath.Base(bin)
	}
	if want := prefix + " UNKNOWN: " + err.Error() + "\n"; r.Code != 3 || got != want {
		t.Errorf("%s: exit %d\n%q\nwant exit 3 and what parse says:\n%q", strings.Join(args, " "), r.Code, got, want)
	}
}
