//go:build !linux && !windows

package appmetrics

import "errors"

// hostCPU is not available here: go-osstat reads the CPU counters of
// macOS through cgo, and the plugins are built without it. Memory use is
// still graphed.
func hostCPU() (*hostCPUTimes, error) {
	return nil, errors.New("host CPU use is not available on this platform")
}
