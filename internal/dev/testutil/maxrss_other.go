//go:build !linux

package testutil

import "os"

// maxRSS is unknown here: rusage's unit differs by platform.
func maxRSS(*os.ProcessState) int64 { return 0 }
