package testutil

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Children lists the processes whose parent is pid, from /proc.
func Children(t testing.TB, pid int) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	for _, path := range stats {
		if ppid, _, ok := parentAndState(path); ok && ppid == pid {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			kids = append(kids, child)
		}
	}
	return kids
}

// ExpectProcessesGone fails the test unless every one of pids has ended
// (a zombie has: it only waits to be reaped) within a minute.
func ExpectProcessesGone(t testing.TB, pids []int) {
	t.Helper()
	giveUp := time.Now().Add(time.Minute)
	for _, pid := range pids {
		path := "/proc/" + strconv.Itoa(pid) + "/stat"
		for {
			_, state, ok := parentAndState(path)
			if !ok || state == 'Z' || state == 'X' {
				break
			}
			if time.Now().After(giveUp) {
				cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
				t.Errorf("process %d (%s) still runs", pid, strings.ReplaceAll(string(cmdline), "\x00", " "))
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// parentAndState reads a /proc/PID/stat file's parent PID and state.
func parentAndState(path string) (ppid int, state byte, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false
	}
	// The command name in parentheses may hold anything, spaces and ")"
	// included: the fields start after the last ")".
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 || len(f[0]) != 1 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[0][0], err == nil
}
