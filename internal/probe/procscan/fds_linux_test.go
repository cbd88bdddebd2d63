package procscan

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
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
	proc := "/proc/" + strconv.Itoa(cmd.Process.Pid)
	dir := proc + "/fd"
	// Until the child has called exec it also holds the pipe that
	// reports exec's failure to the parent: the count is one higher for
	// a moment. Compare once it runs sleep, and its folder lists the
	// same before and after the count.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		comm, _ := os.ReadFile(proc + "/comm")
		if strings.TrimSpace(string(comm)) == "sleep" || time.Now().After(deadline) {
			break
		}
	}
	buf := make([]byte, 0, 4096)
	var want, got, after int
	for range 20 {
		if want, err = countDir(dir, buf); err != nil {
			t.Fatal(err)
		}
		got, err = countFDs(dir, buf)
		if after, _ = countDir(dir, buf); after == want {
			break
		}
	}
	if err != nil || got != want || want < 6 {
		t.Errorf("countFDs(%s) = %d, %v; the folder lists %d (at least 6)", dir, got, err, want)
	}
	if _, err := countFDs("/proc/0/fd", nil); err == nil {
		t.Errorf("countFDs of no process: no error")
	}
}
