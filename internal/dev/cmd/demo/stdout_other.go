//go:build !unix

package main

import (
	"io"
	"os"
)

// stdout is the demo's stdout: only Unix ends a program whose reader
// went away with a signal.
func stdout() io.Writer { return os.Stdout }

// raise ends the demo as a signal would.
func raise(os.Signal) { os.Exit(1) }
