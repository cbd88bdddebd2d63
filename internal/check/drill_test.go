package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadDrill(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		content string // written to the drill file
		want    Drill
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
			got := ReadDrill(path)
			if got == nil {
				t.Fatalf("ReadDrill(%q) = nil, want a drill", tc.content)
			}
			if tc.problem != "" {
				if got.Status != UNKNOWN || !strings.Contains(got.Problem, tc.problem) || !strings.Contains(got.Problem, path) {
					t.Errorf("ReadDrill(%q) = %+v, want status UNKNOWN and a problem naming %s and saying %q", tc.content, *got, path, tc.problem)
				}
				return
			}
			if *got != tc.want {
				t.Errorf("ReadDrill(%q) = %+v, want %+v", tc.content, *got, tc.want)
			}
		})
	}
}

func TestReadDrillAbsent(t *testing.T) {
	for _, path := range []string{"", filepath.Join(t.TempDir(), "no-drill-today")} {
		if got := ReadDrill(path); got != nil {
			t.Errorf("ReadDrill(%q) = %+v, want nil: an absent file is no drill", path, *got)
		}
	}
}

func TestReadDrillUnreadable(t *testing.T) {
	dir := t.TempDir() // a directory cannot be read as a file
	got := ReadDrill(dir)
	if got == nil {
		t.Fatalf("ReadDrill(directory) = nil, want UNKNOWN: an unreadable drill file must not be ignored")
	}
	if got.Status != UNKNOWN || !strings.HasPrefix(got.Problem, "drill file is unreadable: ") || !strings.Contains(got.Problem, dir) {
		t.Errorf("ReadDrill(directory) = %+v, want UNKNOWN with a problem saying it is unreadable and naming %s", *got, dir)
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
			"drill over a real problem keeps the detail lines",
			sick(&Drill{Status: OK, Note: "quiet hours"}),
			OK,
			"TLS OK: [DRILL] quiet hours (real: CRITICAL c:443 expired 3 days ago)\nTLS WARNING: b:443 expires in 21 days\nOK: 1 more target",
		},
		{
			"malformed drill file",
			okReport(&Drill{Status: UNKNOWN, Problem: "drill file /run/drill is empty: its first word must be ok, warning, critical or unknown"}),
			UNKNOWN,
			"TLS UNKNOWN: drill file /run/drill is empty: its first word must be ok, warning, critical or unknown (real: OK 2 targets, earliest expiry in 63 days (a:443 leaf, 2027-01-27))",
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
