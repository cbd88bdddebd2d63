package cli

import (
	"io"
	"time"
)

// Restart makes the process's deadline count from now, for tests that
// run many times in one process, and sends panic stacks to w. It returns
// the func that puts both back.
func Restart(w io.Writer) (restore func()) {
	s, e := start, stderr
	start, stderr = time.Now(), w
	return func() { start, stderr = s, e }
}

// WatchMemory is watchMemory, for the test of its limit.
var WatchMemory = watchMemory
