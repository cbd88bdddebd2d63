package proccheck

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/procgroup"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/procscan"
)

func group(t *testing.T, kind procgroup.Kind, value string) *procgroup.Group {
	t.Helper()
	s, err := procgroup.NewSelector(kind, value)
	if err != nil {
		t.Fatal(err)
	}
	return &procgroup.Group{Label: value, Select: s, Filter: procgroup.AnyProcess}
}

// checkBlocked runs the check of groups, at least one process each, over
// a fake /proc of procs with a deadline of a second: where a blocked read
// of a command line ends the scan.
func checkBlocked(t *testing.T, procs map[int]map[string]string, groups ...*procgroup.Group) *check.Report {
	t.Helper()
	c := &Config{
		Groups:  groups,
		Count:   threshold.Range{CritMin: threshold.Count{N: 1, Set: true}},
		Scanner: &procscan.Scanner{Root: testutil.FakeProc(t, procs)},
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r := Check(ctx, c)
	r.Tag = "PROCESS"
	return r
}

// A process whose command line cannot be read (a read blocked behind a
// process in D state) is named, and costs only the groups it might
// belong to: the name group beside it is judged as usual, and the check
// ends before its deadline.
func TestBlockedReadIsNamed(t *testing.T) {
	start := time.Now()
	r := checkBlocked(t, map[int]map[string]string{
		10: {"stat": testutil.StatLine(10, "nginx", 'S'), "cmdline": "nginx: master process\x00"},
		20: {"stat": testutil.StatLine(20, "rsync", 'D'), "cmdline": "FIFO"},
		30: {"stat": testutil.StatLine(30, "ruby", 'S'), "cmdline": "ruby\x00worker.rb\x00"},
	}, group(t, procgroup.Pattern, "worker"), group(t, procgroup.Name, "nginx"))
	if took := time.Since(start); took > testutil.Starved(time.Second) {
		t.Errorf("the check took %s with a 1s deadline: the deadline did not end it", took)
	}
	msg := r.Message()
	want := "PROCESS UNKNOWN: worker (-p 'worker'): count not taken: the scan of /proc ran out of the deadline with 1 process left unread (pid 20 (rsync): reading /proc/20/cmdline blocked for "
	if r.Status() != check.UNKNOWN || !strings.HasPrefix(msg, want) || !strings.Contains(msg, "OK: 1 more group") {
		t.Errorf("got %s\n%s\nwant %s...", r.Status(), msg, want)
	}
}

// A process whose command line blocks is still known by its stat: a
// name group counts it, instead of reporting its service gone because
// a -p group beside it needed the command line.
func TestBlockedReadStillCountsByName(t *testing.T) {
	r := checkBlocked(t, map[int]map[string]string{
		20: {"stat": testutil.StatLine(20, "rsync", 'D'), "cmdline": "FIFO"},
		30: {"stat": testutil.StatLine(30, "ruby", 'S'), "cmdline": "ruby\x00worker.rb\x00"},
	}, group(t, procgroup.Pattern, "worker"), group(t, procgroup.Name, "rsync"))
	r.Verbose = true
	msg := r.Message()
	if r.Status() != check.UNKNOWN || !strings.Contains(msg, "OK: rsync 1 process") || strings.Contains(msg, "rsync (-n rsync)") || !strings.Contains(msg, "worker (-p 'worker'): count not taken: the scan of /proc ran out of the deadline with 1 process left unread (pid 20 (rsync)") {
		t.Errorf("got %s\n%s", r.Status(), msg)
	}
}

// ... but a group that needs more of it than was read cannot tell, and
// says so rather than leaving it out or stating a count it did not take.
func TestBlockedReadUndecidedIsNamed(t *testing.T) {
	rsync := group(t, procgroup.Name, "rsync")
	rsync.Filter = &procgroup.Filter{UID: 0}
	r := checkBlocked(t, map[int]map[string]string{
		20: {"stat": testutil.StatLine(20, "rsync", 'D'), "cmdline": "FIFO", "status": "Uid:\t0\t0\t0\t0\n"},
		30: {"stat": testutil.StatLine(30, "ruby", 'S'), "cmdline": "ruby\x00worker.rb\x00"},
	}, group(t, procgroup.Pattern, "worker"), rsync)
	msg := r.Message()
	if r.Status() != check.UNKNOWN || strings.Contains(msg, "0 processes") || !strings.Contains(msg, "rsync (-n rsync): count not taken: the scan of /proc ran out of the deadline with 1 process left unread (pid 20 (rsync)") {
		t.Errorf("got %s\n%s", r.Status(), msg)
	}
}
