package procscan

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func fakeProc(t *testing.T, procs map[int]map[string]string) string {
	return testutil.FakeProc(t, procs)
}

func statLine(pid int, comm string, state byte) string { return testutil.StatLine(pid, comm, state) }

func TestScanReadsOnlyWhatIsNeeded(t *testing.T) {
	// The cmdline of 20 is a FIFO: reading it would block the scan. A
	// Need that never asks for cmdline must never open it.
	root := fakeProc(t, map[int]map[string]string{
		10: {"stat": statLine(10, "nginx", 'S'), "cmdline": "nginx\x00-g\x00daemon off;\x00"},
		20: {"stat": statLine(20, "sidekiq", 'S'), "cmdline": "FIFO"},
	})
	s := &Scanner{Root: root}
	snap, err := s.Scan(context.Background(), func(p *Process) Fields {
		if p.Comm == "nginx" {
			return Stat | Cmdline
		}
		return Stat
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Processes) != 2 || len(snap.Unread) != 0 {
		t.Fatalf("processes %d, unread %v", len(snap.Processes), snap.Unread)
	}
	nginx := snap.ByPID(10)
	if nginx.CommandLine() != "nginx -g daemon off;" || nginx.Have != Stat|Cmdline {
		t.Errorf("nginx: %q, have %b", nginx.CommandLine(), nginx.Have)
	}
	if got := snap.ByPID(20); got.Have != Stat || got.Args != nil {
		t.Errorf("sidekiq read beyond stat: have %b", got.Have)
	}
	if want := time.Unix(1700000005, 0); !nginx.Start.Equal(want) || nginx.CPU != 1200*time.Millisecond || nginx.RSS != 256*pageSize || nginx.Threads != 2 {
		t.Errorf("nginx stat: start %v, cpu %v, rss %d, threads %d", nginx.Start, nginx.CPU, nginx.RSS, nginx.Threads)
	}
}

// A read that blocks costs only its process, which is named with the
// file it was reading; the others are read.
func TestScanGivesUpOnABlockedRead(t *testing.T) {
	root := fakeProc(t, map[int]map[string]string{
		10: {"stat": statLine(10, "nginx", 'S'), "cmdline": "nginx\x00"},
		20: {"stat": statLine(20, "stuck", 'D'), "cmdline": "FIFO"},
		30: {"stat": statLine(30, "ruby", 'S'), "cmdline": "ruby\x00app.rb\x00"},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	snap, err := (&Scanner{Root: root, Workers: 2}).Scan(ctx, func(*Process) Fields { return Stat | Cmdline })
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("scan took %s", took)
	}
	if len(snap.Unread) != 1 || snap.Unread[0].PID != 20 || snap.Unread[0].File != "cmdline" || snap.Unread[0].Comm != "stuck" {
		t.Fatalf("unread %+v", snap.Unread)
	}
	if got := snap.Unread[0].String(); got[:len("pid 20 (stuck): reading /proc/20/cmdline blocked for ")] != "pid 20 (stuck): reading /proc/20/cmdline blocked for " {
		t.Errorf("unread says %q", got)
	}
	// What was read of it before the block stays, for the groups it
	// decides.
	if p := snap.ByPID(20); p == nil || p.Comm != "stuck" || p.Have != Stat || p.Failed != Cmdline || p.Err == nil {
		t.Errorf("stuck process not kept with its stat: %+v", p)
	}
	if p := snap.ByPID(10); p == nil || p.CommandLine() != "nginx" {
		t.Errorf("nginx not read: %+v", p)
	}
	if p := snap.ByPID(30); p == nil || p.CommandLine() != "ruby app.rb" {
		t.Errorf("ruby not read behind the stuck process: %+v", p)
	}
}

// A process whose files disappear between the listing and the read
// exited: it is dropped, not reported. A command line read alone needs
// no stat.
func TestScanDropsVanishedProcesses(t *testing.T) {
	root := fakeProc(t, map[int]map[string]string{
		10: {"stat": statLine(10, "a", 'S')},
		20: {"stat": statLine(20, "b", 'S'), "cmdline": "b\x00"},
		30: {},
	})
	snap, err := (&Scanner{Root: root}).Scan(context.Background(), func(*Process) Fields { return Cmdline })
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Processes) != 1 || snap.Processes[0].PID != 20 || snap.Processes[0].Have != Cmdline {
		t.Fatalf("got %d processes: %+v", len(snap.Processes), snap.Processes)
	}
}

func TestScanLiveProcesses(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skipf("no sleep: %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	snap, err := (&Scanner{}).Scan(context.Background(), func(p *Process) Fields {
		if p.PID == cmd.Process.Pid {
			return Stat | Cmdline | Exe | Owner | Cgroup | FDs | Limits
		}
		return 0
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range ancestry("/proc") {
		if snap.ByPID(pid) != nil {
			t.Errorf("the scan lists pid %d, itself or an ancestor", pid)
		}
	}
	if len(ancestry("/proc")) < 2 {
		t.Errorf("ancestry %v lacks the parent", ancestry("/proc"))
	}
	p := snap.ByPID(cmd.Process.Pid)
	if p == nil {
		t.Fatal("child not found")
	}
	if p.Err != nil {
		t.Fatal(p.Err)
	}
	if p.CommandLine() != "sleep 30" || filepath.Base(p.ExePath) != "sleep" || p.UID != os.Geteuid() || p.PPID != os.Getpid() || len(p.Cgroups) == 0 || p.OpenFDs < 1 {
		t.Errorf("child read as %+v", p)
	}
	if age := time.Since(p.Start); age < -2*time.Second || age > 30*time.Second {
		t.Errorf("child started %s ago", age)
	}
	for _, p := range snap.Processes {
		if p.PID != cmd.Process.Pid && p.Have != 0 {
			t.Errorf("pid %d read though nothing was asked of it: %+v", p.PID, p)
			break
		}
	}
}

// Kernel threads and zombies have no executable: a failed readlink is
// not taken for a process that exited when their stat says what they are.
func TestScanKeepsHollowProcesses(t *testing.T) {
	root := fakeProc(t, map[int]map[string]string{
		2:  {"stat": "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 0\n", "cmdline": ""},
		9:  {"stat": statLine(9, "worker", 'Z'), "cmdline": ""},
		10: {"stat": statLine(10, "gone", 'S')},
	})
	snap, err := (&Scanner{Root: root}).Scan(context.Background(), func(*Process) Fields { return Exe })
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Processes) != 2 || !snap.ByPID(2).Kernel || !snap.ByPID(9).Zombie() || snap.ByPID(9).Have != Stat|Exe {
		t.Fatalf("got %+v", snap.Processes)
	}
}
