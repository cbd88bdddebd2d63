//go:build unix

package goroutine

import "syscall"

func defaultWorkers() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return reservedFiles
	}
	return workersFor(uint64(lim.Cur))
}
