//go:build unix

package main

import "syscall"

// setNoFile sets the soft limit on open files, which Go raised to the
// hard limit at start-up.
func setNoFile(n uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	lim.Cur = min(n, lim.Max)
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}
