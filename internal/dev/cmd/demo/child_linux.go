package main

import "syscall"

// childAttr makes the kernel kill a child of the demo when the demo dies
// without cleaning up (SIGKILL, a crash): the workers and sleepers must
// not outlive it to be counted by the next check-process run.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
