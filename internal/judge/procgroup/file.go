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

// SystemdDir exists when systemd booted the host (sd_booted(3)).
const SystemdDir = "/run/systemd/system"

// SystemdRunning reports whether systemd booted the host: where it did
// not, no process is ever in a unit's cgroup, and a unit group that
// finds none watches nothing rather than a stopped service.
func SystemdRunning() bool {
	fi, err := os.Stat(SystemdDir)
	return err == nil && fi.IsDir()
}
