package procscan

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// The size of /proc/PID/fd, where the kernel gives it, is the count that
// reading the folder gives. The process is a child: reading one's own
// folder opens one descriptor more while it lists them.
func TestCountFDsAgreesWithTheFolder(t *testing.T) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	cmd := exec.Command("sleep", "30")
	cmd.ExtraFiles = []*os.File{devnull, devnull, devnull}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	dir := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/fd"
	buf := make([]byte, 0, 4096)
	want, err := countDir(dir, buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := countFDs(dir, buf)
	if err != nil || got != want || want < 6 {
		t.Errorf("countFDs(%s) = %d, %v; the folder lists %d (at least 6)", dir, got, err, want)
	}
	if _, err := countFDs("/proc/0/fd", nil); err == nil {
		t.Errorf("countFDs of no process: no error")
	}
}
