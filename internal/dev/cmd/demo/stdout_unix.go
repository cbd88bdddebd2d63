//go:build unix

package main

import (
	"io"
	"os"
	"syscall"
)

// stdout is a second descriptor of the demo's stdout. A write to a closed
// pipe on descriptor 1 kills a Go program with SIGPIPE before it can
// clean up; on any other descriptor it fails with EPIPE, which the demo
// takes as its reader gone, and stops cleanly.
func stdout() io.Writer {
	fd, err := syscall.Dup(1)
	if err != nil {
		return os.Stdout
	}
	return os.NewFile(uintptr(fd), "stdout")
}

// raise ends the demo with sig, whose handler was reset, so that its
// parent sees the signal that ended it.
func raise(sig os.Signal) {
	syscall.Kill(os.Getpid(), sig.(syscall.Signal))
	select {}
}
