package cli

import (
	"context"
	"errors"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
)

// Validate reads a check's command line as RunCheck does, Prepare
// included, and runs nothing: a caller holding many command lines learns
// which would not run, in the words the binary prints after "TAG UNKNOWN: ".
// --help and --version give ErrDone. Prepare reads the files the command
// line names, under the deadline -t gives from now.
func Validate(p Plugin, c Check, args []string) error {
	var usage error
	_, cancel, early := prepare(context.Background(), time.Now(), p, c, c.Prepare, args, func(time.Duration) {}, func(err error) result {
		usage = err
		return result{}
	})
	cancel()
	switch {
	case early == nil:
		return nil
	case usage == nil:
		return ErrDone
	}
	return errors.New(secret.Process().Mask(oneLine(usage.Error())))
}
