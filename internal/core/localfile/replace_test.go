package localfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestReplace(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  WriteOptions
		old  bool // a file is there before
	}{
		{"new file, shared", WriteOptions{Perm: 0o644}, false},
		{"over an old file, private, synced", WriteOptions{Perm: 0o600, Sync: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			if tc.old {
				if err := os.WriteFile(path, []byte("old"), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			if err := Replace(path, []byte("new\n"), tc.opt); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != "new\n" {
				t.Errorf("content %q, %v", got, err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != tc.opt.Perm {
				t.Errorf("mode %v, %v; want %v", fi.Mode().Perm(), err, tc.opt.Perm)
			}
			expectOnly(t, dir, "state.json")
		})
	}
}

// A missing folder is the os package's error, so that the caller can
// make the folder and try again; nothing is left behind.
func TestReplaceMissingFolder(t *testing.T) {
	dir := t.TempDir()
	err := Replace(filepath.Join(dir, "absent", "state.json"), []byte("x"), WriteOptions{Perm: 0o600})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
	expectOnly(t, dir)
}

// Until it is committed, a staged file leaves the old one as it was,
// and discarding it leaves no trace.
func TestStageKeepsTheOldFileUntilCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "conf")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Stage(path, []byte("new"), WriteOptions{Perm: 0o644})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("before commit: %q", got)
	}
	if got, _ := os.ReadFile(s.Name()); string(got) != "new" {
		t.Errorf("staged: %q", got)
	}
	s.Discard()
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("after discard: %q", got)
	}
	expectOnly(t, dir, "conf")

	s, err = Stage(path, []byte("new"), WriteOptions{Perm: 0o644})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("after commit: %q", got)
	}
	expectOnly(t, dir, "conf")
}

// A commit that cannot rename (the destination is a folder) removes
// the staged file.
func TestCommitFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "conf")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Stage(path, []byte("new"), WriteOptions{Perm: 0o644})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err == nil {
		t.Fatal("commit over a non-empty folder succeeded")
	}
	expectOnly(t, dir, "conf")
}

func expectOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
		return
	}
	for i := range got {
		if got[i] != names[i] {
			t.Errorf("%s holds %q, want %q", dir, got, names)
		}
	}
}
