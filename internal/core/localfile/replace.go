package localfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// WriteOptions say how a file is written before it takes its place.
type WriteOptions struct {
	// Perm is the file's mode.
	Perm fs.FileMode
	// Sync flushes the data to disk before the rename: the file is then
	// whole after the host goes down, not only to a reader.
	Sync bool
}

// Staged is a file written in full beside its destination, under a
// hidden temporary name, and not yet in place. Files staged together and
// committed only once all were written leave the old ones as they were
// when any of them fails.
type Staged struct {
	tmp, dst string
}

// Stage writes data to a new temporary file in path's folder. The
// folder must exist: the error is then the os package's, so that a
// caller can make it and try again.
func Stage(path string, data []byte, opt WriteOptions) (*Staged, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return nil, err
	}
	s := &Staged{tmp: f.Name(), dst: path}
	_, err = f.Write(data)
	if err == nil && opt.Sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(s.tmp, opt.Perm)
	}
	if err != nil {
		s.Discard()
		return nil, err
	}
	return s, nil
}

// Name is the temporary file, for what must be set on it before it
// takes its place (its times).
func (s *Staged) Name() string { return s.tmp }

// Commit renames the file over its destination: a reader sees the old
// file or the new one, never half of either.
func (s *Staged) Commit() error {
	if err := os.Rename(s.tmp, s.dst); err != nil {
		s.Discard()
		return err
	}
	return nil
}

// Discard removes the temporary file; the destination is untouched.
func (s *Staged) Discard() { os.Remove(s.tmp) }

// Replace writes data to path at once: Stage, then Commit.
func Replace(path string, data []byte, opt WriteOptions) error {
	s, err := Stage(path, data, opt)
	if err != nil {
		return err
	}
	return s.Commit()
}
