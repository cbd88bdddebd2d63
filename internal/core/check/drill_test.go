package check

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestReadDrill(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		content string // written to the drill file
		want    Drill  // without Path
		problem string // in Problem; the status is then UNKNOWN
	}{
		{"status and note", "critical game day 3\nsecond line is ignored\n", Drill{Status: CRITICAL, Note: "game day 3"}, ""},
		{"word only", "warning", Drill{Status: WARNING}, ""},
		{"case-insensitive", "OK", Drill{Status: OK}, ""},
		{"mixed case", "Unknown  rehearse the runbook", Drill{Status: UNKNOWN, Note: "rehearse the runbook"}, ""},
		{"surrounding space and CRLF", "  Critical \t game day  \r\nmore\r\n", Drill{Status: CRITICAL, Note: "game day"}, ""},
		{"inner tabs kept", "warning a\tb", Drill{Status: WARNING, Note: "a\tb"}, ""},
		{"empty file", "", Drill{}, "is empty"},
		{"blank first line", "   \n", Drill{}, "is empty"},
		{"unknown word", "critcal game day", Drill{}, `starts with "critcal"`},
		{"word glued to punctuation", "critical: game day", Drill{}, `starts with "critical:"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got := ReadDrill(path, DefaultDrillMaxAge)
			if got == nil {
				t.Fatalf("ReadDrill(%q) = nil, want a drill", tc.content)
			}
			if tc.problem != "" {
				if got.Status != UNKNOWN || !strings.Contains(got.Problem, tc.problem) || !strings.Contains(got.Problem, path) {
					t.Errorf("ReadDrill(%q) = %+v, want status UNKNOWN and a problem naming %s and saying %q", tc.content, *got, path, tc.problem)
				}
				return
			}
			tc.want.Path = path
			if *got != tc.want {
				t.Errorf("ReadDrill(%q) = %+v, want %+v", tc.content, *got, tc.want)
			}
		})
	}
}

func TestReadDrillAbsent(t *testing.T) {
	for _, path := range []string{"", filepath.Join(t.TempDir(), "no-drill-today")} {
		if got := ReadDrill(path, DefaultDrillMaxAge); got != nil {
			t.Errorf("ReadDrill(%q) = %+v, want nil: an absent file is no drill", path, *got)
		}
	}
}

func TestReadDrillUnreadable(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, fifo} { // a directory, and a FIFO that must not block
		got := ReadDrill(path, DefaultDrillMaxAge)
		if got == nil {
			t.Fatalf("ReadDrill(%s) = nil, want UNKNOWN: an unreadable drill file must not be ignored", path)
		}
		if got.Status != UNKNOWN || !strings.HasPrefix(got.Problem, "drill file is unreadable: ") || !strings.Contains(got.Problem, path) {
			t.Errorf("ReadDrill(%s) = %+v, want UNKNOWN with a problem saying it is unreadable and naming it", path, *got)
		}
	}
}

func TestReadDrillStale(t *testing.T) {
	path := testutil.WriteFile(t, "drill", []byte("ok all quiet\n"))
	testutil.SetModTime(t, path, time.Now().Add(-3*time.Hour))
	got := ReadDrill(path, 2*time.Hour)
	if got == nil || !got.Stale || got.Age < 3*time.Hour || got.MaxAge != 2*time.Hour {
		t.Fatalf("ReadDrill(3h old, max 2h) = %+v, want stale", got)
	}
	if got := ReadDrill(path, 4*time.Hour); got == nil || got.Stale || got.Status != OK {
		t.Errorf("ReadDrill(3h old, max 4h) = %+v, want a fresh OK drill", got)
	}
}

// The status reported is never better than the real one.
func TestDrillNeverHidesTheRealStatus(t *testing.T) {
	statuses := []Status{OK, WARNING, UNKNOWN, CRITICAL}
	findings := map[Status][]Finding{
		OK:       {{OK, "a fine"}},
		WARNING:  {{OK, "a fine"}, {WARNING, "b expires in 20 days"}},
		UNKNOWN:  nil, // nothing checked
		CRITICAL: {{CRITICAL, "c expired"}, {WARNING, "b expires in 20 days"}},
	}
	for _, real := range statuses {
		drills := []*Drill{
			{Path: "/d", Status: UNKNOWN, Problem: "drill file /d is empty: its first word must be ok, warning, critical or unknown"},
			{Path: "/d", Status: OK, Stale: true, Age: 3 * time.Hour, MaxAge: 2 * time.Hour},
		}
		for _, s := range statuses {
			drills = append(drills, &Drill{Path: "/d", Status: s, Note: "game day"})
		}
		for _, d := range drills {
			r := &Report{Tag: "TLS", Findings: findings[real], OKVerdict: "1 target fine", Drill: d}
			got := r.Status()
			if Worse(real, got) {
				t.Errorf("real %v, drill %+v: reported %v, better than the real status", real, *d, got)
			}
			msg := r.Message()
			if !strings.HasPrefix(msg, "TLS "+got.String()+": ") {
				t.Errorf("real %v, drill %+v: status %v but message %q", real, *d, got, msg)
			}
			without := (&Report{Tag: "TLS", Findings: findings[real], OKVerdict: "1 target fine"}).Message()
			switch {
			case d.Stale && real == OK:
				if got != WARNING || !strings.Contains(msg, "stale drill file /d") {
					t.Errorf("stale drill over OK: %v %q, want WARNING naming the file", got, msg)
				}
			case d.Stale, Worse(real, d.Status):
				// As without the drill, plus one note.
				if got != real || !strings.HasPrefix(msg, without+"\n[DRILL] ") || strings.Count(msg, "\n") != strings.Count(without, "\n")+1 {
					t.Errorf("real %v, drill %+v:\n got %q\nwant %q and one note", real, *d, msg, without)
				}
			}
		}
	}
}

func TestDrillMessage(t *testing.T) {
	okReport := func(d *Drill) *Report {
		return &Report{
			Tag:       "TLS",
			Findings:  []Finding{{OK, "a:443 leaf expires in 63 days"}, {OK, "b:443 leaf expires in 70 days"}},
			OKVerdict: "2 targets, earliest expiry in 63 days (a:443 leaf, 2027-01-27)",
			Drill:     d,
		}
	}
	sick := func(d *Drill) *Report {
		return &Report{
			Tag:      "TLS",
			Findings: []Finding{{OK, "a:443 fine"}, {WARNING, "b:443 expires in 21 days"}, {CRITICAL, "c:443 expired 3 days ago"}},
			Drill:    d,
		}
	}
	stale := &Drill{Path: "/var/tmp/drill", Status: OK, Stale: true, Age: 3*time.Hour + 5*time.Minute + 7*time.Second, MaxAge: 2 * time.Hour}
	for _, tc := range []struct {
		name       string
		report     *Report
		wantStatus Status
		want       string
	}{
		{
			"drill over OK",
			okReport(&Drill{Status: CRITICAL, Note: "game day 3"}),
			CRITICAL,
			"TLS CRITICAL: [DRILL] game day 3 (real: OK 2 targets, earliest expiry in 63 days (a:443 leaf, 2027-01-27))",
		},
		{
			"drill without note",
			okReport(&Drill{Status: WARNING}),
			WARNING,
			"TLS WARNING: [DRILL] (real: OK 2 targets, earliest expiry in 63 days (a:443 leaf, 2027-01-27))",
		},
		{
			"a real problem overrules the drill",
			sick(&Drill{Path: "/var/tmp/drill", Status: OK, Note: "quiet hours"}),
			CRITICAL,
			"TLS CRITICAL: c:443 expired 3 days ago\nTLS WARNING: b:443 expires in 21 days\nOK: 1 more target\n[DRILL] drill file /var/tmp/drill says OK, overruled: the real status is worse",
		},
		{
			"malformed drill file",
			okReport(&Drill{Status: UNKNOWN, Problem: "drill file /run/drill is empty: its first word must be ok, warning, critical or unknown"}),
			UNKNOWN,
			"TLS UNKNOWN: drill file /run/drill is empty: its first word must be ok, warning, critical or unknown (real: OK 2 targets, earliest expiry in 63 days (a:443 leaf, 2027-01-27))",
		},
		{
			"malformed drill file under a real CRITICAL",
			sick(&Drill{Status: UNKNOWN, Problem: "drill file /run/drill is empty: its first word must be ok, warning, critical or unknown"}),
			CRITICAL,
			"TLS CRITICAL: c:443 expired 3 days ago\nTLS WARNING: b:443 expires in 21 days\nOK: 1 more target\n[DRILL] drill file /run/drill is empty: its first word must be ok, warning, critical or unknown; overruled: the real status is worse",
		},
		{
			"stale drill file over OK",
			okReport(stale),
			WARNING,
			"TLS WARNING: stale drill file /var/tmp/drill (last modified 3h5m ago, over --drill-max-age 2h) no longer sets the status: remove it (real: OK 2 targets, earliest expiry in 63 days (a:443 leaf, 2027-01-27))",
		},
		{
			"stale drill file over CRITICAL",
			sick(stale),
			CRITICAL,
			"TLS CRITICAL: c:443 expired 3 days ago\nTLS WARNING: b:443 expires in 21 days\nOK: 1 more target\n[DRILL] stale drill file /var/tmp/drill (last modified 3h5m ago, over --drill-max-age 2h) no longer sets the status: remove it",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.report.Status(); got != tc.wantStatus {
				t.Errorf("Status() = %v, want %v", got, tc.wantStatus)
			}
			if got := tc.report.Message(); got != tc.want {
				t.Errorf("Message():\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// The note that a drill was overruled survives a message cut to size.
func TestDrillNoteFits(t *testing.T) {
	var fs []Finding
	for i := 0; i < 300; i++ {
		fs = append(fs, Finding{CRITICAL, strings.Repeat("x", 40)})
	}
	r := &Report{Tag: "TLS", Findings: fs, Drill: &Drill{Path: "/" + strings.Repeat("d", 2000), Status: OK}}
	msg := r.Message()
	lines := strings.Split(msg, "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "[DRILL] drill file /ddd") {
		t.Errorf("last line %q, want the drill note", last)
	}
	if n := len([]rune(msg)) + 1; n > MaxRunes {
		t.Errorf("message is %d runes, over %d", n, MaxRunes)
	}
}

func FuzzParseDrill(f *testing.F) {
	for _, s := range []string{"", "ok", "critical game day 3\nmore", "  Warning\t x \r\n", "critcal", "\xff ok", "unknown \u2028\x1b[0m", "ok\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := ParseDrill("/d", data)
		if d == nil {
			t.Fatal("nil drill")
		}
		if d.Problem != "" && d.Status != UNKNOWN {
			t.Fatalf("a malformed drill file must be UNKNOWN: %+v", *d)
		}
		if strings.Contains(d.Note, "\n") {
			t.Fatalf("note spans lines: %q", d.Note)
		}
		for _, real := range []Status{OK, WARNING, UNKNOWN, CRITICAL} {
			r := &Report{Tag: "T", Findings: []Finding{{real, "x"}}, Drill: d}
			if Worse(real, r.Status()) {
				t.Fatalf("drill %+v reports %v over a real %v", *d, r.Status(), real)
			}
			if l := strings.Split(r.Message(), "\n"); strings.Contains(l[0], "\r") {
				t.Fatalf("first line keeps a CR: %q", l[0])
			}
		}
	})
}
