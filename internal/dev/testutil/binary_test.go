package testutil

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestDeadlineEnded(t *testing.T) {
	re := regexp.MustCompile("^" + DeadlineEnded("smtp://127.0.0.1:25", "starttls", "127.0.0.1:25") + "$")
	for text, want := range map[string]bool{
		"smtp://127.0.0.1:25: starttls: timed out after 1.0s":                                  true,
		"smtp://127.0.0.1:25: starttls: timed out after 0.49s":                                 true,
		"smtp://127.0.0.1:25: starttls: timed out after 12.3s":                                 true,
		"starttls 127.0.0.1:25: still in progress after 2.6s, past the 2s deadline":            true,
		"starttls 127.0.0.1:25: still in progress after 0.95s, past the 1.5s deadline":         true,
		"smtp://127.0.0.1:25: tls: timed out after 1.0s":                                       false,
		"smtp://127.0.0.1:25: starttls: connection refused":                                    false,
		"tls 127.0.0.1:25: still in progress after 2.6s, past the 2s deadline":                 false,
		"starttls 127.0.0.1:25: stopped after 2.6s (the check was terminated)":                 false,
		"smtp://127.0.0.1:25: starttls: timed out after 1.0s, and then something else as well": false,
	} {
		if got := re.MatchString(text); got != want {
			t.Errorf("DeadlineEnded matches %q: %v, want %v", text, got, want)
		}
	}
}

// A build goes to the checkout's one folder in the user's cache, which
// the next run builds over: a run that ends in a panic, a -timeout or
// Ctrl-C leaves no folder of its own behind.
func TestBinaryBuildsIntoOneReusedFolder(t *testing.T) {
	t.Setenv("FRONTLINE_BIN", "")
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "frontline-bin-*"))
	path := Binary(t, "check-process")
	if dir := binCacheDir(t); filepath.Dir(path) != dir {
		t.Errorf("built %s, want it in %s", path, dir)
	}
	if after, _ := filepath.Glob(filepath.Join(os.TempDir(), "frontline-bin-*")); len(after) > len(before) {
		t.Errorf("a build folder appeared in the temp dir: %v", after)
	}
	if r := Run(t, path, nil, "--version"); r.Code != 0 {
		t.Errorf("the built binary does not run: %s", r)
	}
}
