package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// realTargets are -f arguments whose real verdict is each status.
func realTargets(t *testing.T) map[string][]string {
	t.Helper()
	file := func(name string, days float64) string {
		c := testutil.NewCert(t, fixture.CertOptions{CN: name, NotAfter: fixture.InDays(days)})
		return testutil.WriteFile(t, name+".pem", fixture.PEM(c))
	}
	return map[string][]string{
		"OK":       {"-f", file("healthy", 60.5)},
		"WARNING":  {"-f", file("soon", 20.5)},
		"CRITICAL": {"-f", file("expired", -2.5)},
		"UNKNOWN":  {"-f", filepath.Join(t.TempDir(), "*.pem")}, // matches nothing
	}
}

var severity = map[string]int{"OK": 0, "WARNING": 1, "UNKNOWN": 2, "CRITICAL": 3}
var exitCode = map[string]int{"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}

// No drill word hides a worse real status: the worse of the two is
// reported, and a real status that overrules the drill is reported as it
// would be without it, plus one note.
func TestDrillNeverHidesTheRealStatus(t *testing.T) {
	targets := realTargets(t)
	drill := filepath.Join(t.TempDir(), "drill")
	for _, real := range []string{"OK", "WARNING", "UNKNOWN", "CRITICAL"} {
		without := run(t, targets[real]...)
		without.Expect(t, exitCode[real], "TLS "+real+": ")
		for _, word := range []string{"ok", "warning", "critical", "unknown"} {
			t.Run(word+" over real "+real, func(t *testing.T) {
				if err := os.WriteFile(drill, []byte(word+" game day 3\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				res := run(t, append(targets[real], "--drill-file", drill)...)
				drillStatus := strings.ToUpper(word)
				if severity[real] > severity[drillStatus] {
					want := without.Stdout + "[DRILL] drill file " + drill + " says " + drillStatus + ", overruled: the real status is worse\n"
					if res.Code != exitCode[real] || res.Stdout != want {
						t.Errorf("exit %d, stdout %q\nwant exit %d, %q", res.Code, res.Stdout, exitCode[real], want)
					}
					return
				}
				res.Expect(t, exitCode[drillStatus], "TLS "+drillStatus+": [DRILL] game day 3 (real: "+real+" ")
			})
		}
	}
}

func TestStaleDrillFile(t *testing.T) {
	targets := realTargets(t)
	drill := filepath.Join(t.TempDir(), "drill")
	if err := os.WriteFile(drill, []byte("critical game day 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.SetModTime(t, drill, time.Now().Add(-3*time.Hour))
	stale := "stale drill file " + drill + " (last modified 3h ago, over --drill-max-age 2h) no longer sets the status: remove it"
	run(t, append(targets["OK"], "--drill-file", drill)...).Expect(t, 1, "TLS WARNING: "+stale+" (real: OK ")
	res := run(t, append(targets["CRITICAL"], "--drill-file", drill)...)
	if first := res.Expect(t, 2, "\n[DRILL] "+stale+"\n"); !strings.HasPrefix(first, "TLS CRITICAL: ") || strings.Contains(first, "DRILL") {
		t.Errorf("first line %q: want the real CRITICAL as without the drill", first)
	}
	// A longer --drill-max-age keeps it fresh: the drill sets the status.
	run(t, append(targets["OK"], "--drill-file", drill, "--drill-max-age", "4h")...).Expect(t, 2, "TLS CRITICAL: [DRILL] game day 3 (real: OK ")
	// Touched again: fresh.
	testutil.SetModTime(t, drill, time.Now())
	run(t, append(targets["OK"], "--drill-file", drill)...).Expect(t, 2, "TLS CRITICAL: [DRILL] game day 3 (real: OK ")
}

func TestDrillMaxAgeInvalid(t *testing.T) {
	targets := realTargets(t)
	for _, v := range []string{"soon", "0", "-1h"} {
		res := run(t, append(targets["OK"], "--drill-max-age", v)...)
		if first := res.Expect(t, 3, "TLS UNKNOWN: invalid value for --drill-max-age: "); strings.Count(res.Stdout, "\n") != 1 {
			t.Errorf("--drill-max-age %s: want one line, got %q (%s)", v, res.Stdout, first)
		}
	}
}

func TestDrillFileFIFODoesNotBlock(t *testing.T) {
	targets := realTargets(t)
	fifo := filepath.Join(t.TempDir(), "drill")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	res := run(t, append(targets["OK"], "--drill-file", fifo, "-t", "2")...)
	res.Expect(t, 3, "TLS UNKNOWN: drill file is unreadable: "+fifo+" is a FIFO")
	res.ExpectEndedBy(t, 2*time.Second)
}

func TestNewlineInCNForgesNoLine(t *testing.T) {
	c := testutil.NewCert(t, fixture.CertOptions{CN: "evil\nTLS OK: forged\u2028\x1b[2J", NotAfter: fixture.InDays(5.5)})
	path := testutil.WriteFile(t, "evil.pem", fixture.PEM(c))
	res := run(t, "-f", path, "-v")
	res.Expect(t, 2, `evil\nTLS OK: forged\u2028\x1b[2J`)
	for _, l := range strings.Split(res.Stdout, "\n") {
		if strings.HasPrefix(l, "TLS OK: forged") {
			t.Errorf("a forged line got through:\n%s", res.Stdout)
		}
	}
}

// A drill's note is the team's text: however long, the real verdict stays
// in the message, and the note is what gets shortened.
func TestLongDrillNoteKeepsTheRealVerdict(t *testing.T) {
	targets := realTargets(t)
	drill := testutil.WriteFile(t, "drill", []byte("critical game day: "+strings.Repeat("y", 5000)+"\n"))
	res := run(t, append(targets["WARNING"], "--drill-file", drill)...)
	first := res.Expect(t, 2, "TLS CRITICAL: [DRILL] game day: yyy")
	if !strings.Contains(first, "(real: WARNING ") || !strings.Contains(first, "warning below 30 days)") {
		t.Errorf("first line %q: want the whole real verdict after the shortened note", first)
	}
}

// A drill file dated in the future (a clock set wrong, touch -d) would
// never grow old enough to expire: it is stale at once.
func TestFutureDrillFileIsStale(t *testing.T) {
	targets := realTargets(t)
	drill := testutil.WriteFile(t, "drill", []byte("ok forgotten drill\n"))
	testutil.SetModTime(t, drill, time.Now().Add(24*time.Hour))
	run(t, append(targets["OK"], "--drill-file", drill)...).Expect(t, 1,
		"TLS WARNING: stale drill file "+drill+" (modified in the future) no longer sets the status: remove it (real: OK ")
}
