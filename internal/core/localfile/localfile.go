// Package localfile reads the small local files a check is given (a
// certificate bundle, a drill file, a ${file:} secret, a pid file, a
// scenario) without letting one of them hang or exhaust the run: only
// regular files are read, never more than a limit, and a FIFO or device
// named by mistake is refused with a sentence instead of blocking. The
// files a run leaves (states, drill files, generated files) are written
// beside their place and renamed into it, never seen half written.
package localfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrTooLarge is wrapped by Read's error for a file over the limit.
var ErrTooLarge = errors.New("file too large")

// Read returns the content of the regular file at path, refusing files
// larger than limit bytes. A FIFO opened for reading blocks until a writer
// comes, and a device such as /dev/zero never ends: both are refused
// before they are opened, and the file is opened non-blocking in case it
// was swapped for one in between. A hung network mount can still block
// the stat itself: the run's watchdog bounds that.
func Read(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, tooLarge(path, limit)
	}
	// The size can grow between the stat and the read: read one byte past
	// the limit to notice.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(path, limit)
	}
	return data, nil
}

func regular(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("%s is a directory, not a file", path)
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%s is a FIFO, not a regular file: reading it could block the check", path)
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return fmt.Errorf("%s is a device, not a regular file", path)
	case m&fs.ModeSocket != 0:
		return fmt.Errorf("%s is a socket, not a regular file", path)
	}
	return fmt.Errorf("%s is not a regular file (mode %s)", path, m.Type())
}

func tooLarge(path string, limit int64) error {
	return fmt.Errorf("%s is larger than %s: %w", path, Size(limit), ErrTooLarge)
}

// Size formats a byte count for a message: "1 MiB", "64 KiB", "512 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
