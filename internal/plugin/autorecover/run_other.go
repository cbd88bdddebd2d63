//go:build !(linux || darwin)

package autorecover

import (
	"errors"
	"io"
	"time"
)

func (o *Options) act(Env, io.Writer, func() time.Time) error {
	return errors.New("automatic recovery runs on Linux and macOS hosts only: it needs process groups and flock(2)")
}
