package procgroup

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func modTime(path string) (time.Time, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}
