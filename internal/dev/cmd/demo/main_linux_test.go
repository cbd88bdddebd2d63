package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// However the demo ends, no process it started survives it and its
// folder is gone: its reader going away (`make demo | head`), Ctrl-C, the
// SIGTERM of a supervisor, the SIGHUP of a closed terminal.
func TestDemoLeavesNothingBehind(t *testing.T) {
	demo := testutil.DevCommand(t, "demo")
	bin := testutil.BinDir(t, "check-tls-expiry", "check-http-e2e", "check-process", "mackerel-plugin-app")
	for _, tc := range []struct {
		name string
		sig  syscall.Signal // 0: the reader goes away
	}{
		{"reader gone", 0},
		{"SIGINT", syscall.SIGINT},
		{"SIGTERM", syscall.SIGTERM},
		{"SIGHUP", syscall.SIGHUP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(demo, "-bin", bin)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill() })
			dir := demoFolder(t, stdout)
			// Every fixture is running once the header is out.
			kids := testutil.Children(t, cmd.Process.Pid)
			if len(kids) < 5 {
				t.Fatalf("%d children of the demo, want its 2 workers and 3 sleepers at least", len(kids))
			}
			if tc.sig == 0 {
				// The next line the demo prints meets a closed pipe.
				stdout.(io.Closer).Close()
			} else if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				if tc.sig != 0 {
					io.Copy(io.Discard, stdout)
				}
				done <- cmd.Wait()
			}()
			select {
			case err = <-done:
			case <-time.After(2 * time.Minute):
				t.Fatalf("the demo still runs 2 minutes after it was told to stop\nstderr: %s", stderr.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the demo ended with %v, want a failure saying why", err)
			}
			ws := exit.Sys().(syscall.WaitStatus)
			switch {
			case tc.sig == 0 && ws.ExitStatus() != 128+int(syscall.SIGPIPE):
				t.Errorf("the demo ended with %v after its reader went away, want exit %d\nstderr: %s", err, 128+int(syscall.SIGPIPE), stderr.String())
			case tc.sig != 0 && (!ws.Signaled() || ws.Signal() != tc.sig):
				t.Errorf("the demo ended with %v, want the %v it was sent\nstderr: %s", err, tc.sig, stderr.String())
			}
			testutil.ExpectProcessesGone(t, kids)
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the demo's folder %s is still there (%v)", dir, err)
			}
		})
	}
}

// demoFolder reads the demo's header up to the line that names its folder.
func demoFolder(t *testing.T, stdout io.Reader) string {
	t.Helper()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, dir, ok := strings.Cut(sc.Text(), "Files are in $DEMO="); ok {
			return dir
		}
	}
	t.Fatalf("the demo printed no folder (%v)", sc.Err())
	return ""
}
