package testutil

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// procchild builds internal/dev/cmd/procchild once per test process.
func procchild(t testing.TB) string {
	t.Helper()
	return DevCommand(t, "procchild")
}

// UniqueName is a process name no other process on the host has: a
// prefix, then random hex, 15 characters in all unless prefix is longer.
func UniqueName(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	return name[:max(15, len(prefix)+4)]
}

// Process is a running copy of internal/dev/cmd/procchild.
type Process struct {
	PID int
	// Path is the copy's executable: its base name is the process's name.
	Path string
	// Zombie is the PID of its zombie child, for -zombie.
	Zombie int
	Cmd    *exec.Cmd
}

// StartProcess runs a copy of procchild named name (a hard link in a
// folder of the test's, or a copy where links are refused) with args
// (its flags, then words that only show in its command line). It returns
// once the process says it is ready; the process is stopped and reaped
// when the test ends.
func StartProcess(t testing.TB, name string, args ...string) *Process {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.Link(procchild(t), path); err != nil {
		copyFile(t, procchild(t), path)
	}
	return StartProcessAt(t, path, args...)
}

// StartProcessAt runs the procchild copy at path again: a restart.
func StartProcessAt(t testing.TB, path string, args ...string) *Process {
	t.Helper()
	return StartProcessAs(t, path, path, args...)
}

// StartProcessAs runs the procchild copy at path with argv[0] set to
// argv0, as a shell's exec -a does.
func StartProcessAs(t testing.TB, path, argv0 string, args ...string) *Process {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Args[0] = argv0
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Process{PID: cmd.Process.Pid, Path: path, Cmd: cmd}
	t.Cleanup(func() { p.Stop() })
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			key, value, _ := strings.Cut(sc.Text(), " ")
			switch key {
			case "zombie":
				p.Zombie, _ = strconv.Atoi(value)
			case "ready":
				ready <- nil
				io.Copy(io.Discard, out)
				return
			}
		}
		ready <- io.ErrUnexpectedEOF
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("%s did not start: %v", path, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s not ready after 20s", path)
	}
	return p
}

// Stop kills the process and reaps it (its zombie child goes to init).
func (p *Process) Stop() {
	if p.Cmd.ProcessState == nil {
		p.Cmd.Process.Kill()
		p.Cmd.Wait()
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// FakeProc writes a proc tree for a scanner's Root: /proc/stat with a boot
// time, and for each PID the files given by name under /proc/PID. The
// content "FIFO" makes a named pipe instead, whose read blocks as a
// command line does behind a process in uninterruptible sleep; the pipes
// are opened for writing when the test ends, so no reader stays blocked.
func FakeProc(t testing.TB, procs map[int]map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "stat"), []byte("cpu 0\nbtime 1700000000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for pid, files := range procs {
		dir := filepath.Join(root, strconv.Itoa(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range files {
			path := filepath.Join(dir, name)
			if content == "FIFO" {
				mkfifo(t, path)
				continue
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// StatLine is a /proc/PID/stat line: one process, sleeping or not, that
// started 5 s after boot, with 1.2 s of CPU, 2 threads and 256 pages.
func StatLine(pid int, comm string, state byte) string {
	return strconv.Itoa(pid) + " (" + comm + ") " + string(state) + " 1 0 0 0 -1 4194560 0 0 0 0 100 20 0 0 20 0 2 0 500 0 256 0\n"
}
