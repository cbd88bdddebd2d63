package testutil

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ProgramName is a process name (comm) no other process has: prefix and
// random hex, 15 characters in all, what the kernel keeps of a name.
func ProgramName(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	n := prefix + hex.EncodeToString(b)
	if len(n) > 15 && len(prefix) < 15 {
		n = n[:15]
	}
	return n
}

// RunProgramAs runs a copy of the program at prog (an absolute path, as
// /bin/sh) named name, with args, so that tests can select it by name or
// command line. It returns the running command and the copy's path, to
// start it again (a restart); the process is killed and reaped when the
// test ends.
func RunProgramAs(t testing.TB, prog, name string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	data, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return RunProgram(t, path, args...), path
}

// RunProgram runs path with args until the test ends.
func RunProgram(t testing.TB, path string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}
