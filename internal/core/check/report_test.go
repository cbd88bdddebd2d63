package check

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReportStatus(t *testing.T) {
	for _, tc := range []struct {
		name     string
		findings []Finding
		want     Status
	}{
		{"no findings is UNKNOWN: nothing was checked", nil, UNKNOWN},
		{"all ok", []Finding{{OK, "a"}, {OK, "b"}}, OK},
		{"warning", []Finding{{OK, "a"}, {WARNING, "b"}}, WARNING},
		{"unknown beats warning", []Finding{{WARNING, "a"}, {UNKNOWN, "b"}}, UNKNOWN},
		{"critical beats unknown", []Finding{{UNKNOWN, "a"}, {CRITICAL, "b"}, {WARNING, "c"}}, CRITICAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Tag: "TLS", Findings: tc.findings}
			if got := r.Status(); got != tc.want {
				t.Errorf("Status() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReportMessage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		report Report
		want   []string // lines
	}{
		{
			name: "all ok shows the verdict only",
			report: Report{Findings: []Finding{{OK, "a:443 fine"}, {OK, "b:443 fine"}},
				OKVerdict: "2 targets, earliest expiry in 63 days"},
			want: []string{"TLS OK: 2 targets, earliest expiry in 63 days"},
		},
		{
			name:   "no findings is never OK",
			report: Report{OKVerdict: "0 targets"},
			want:   []string{"TLS UNKNOWN: nothing was checked"},
		},
		{
			name: "verbose lists ok findings",
			report: Report{Findings: []Finding{{OK, "a:443 fine"}, {OK, "b:443 fine"}},
				OKVerdict: "2 targets", Verbose: true},
			want: []string{"TLS OK: 2 targets", "OK: a:443 fine", "OK: b:443 fine"},
		},
		{
			name: "worst first, detail lines carry the tag",
			report: Report{Findings: []Finding{
				{WARNING, "w1"}, {OK, "o1"}, {CRITICAL, "c1"}, {UNKNOWN, "u1"}, {WARNING, "w2"}, {OK, "o2"},
			}, OKVerdict: "unused"},
			want: []string{"TLS CRITICAL: c1", "TLS UNKNOWN: u1", "TLS WARNING: w1", "TLS WARNING: w2", "OK: 2 more targets"},
		},
		{
			name:   "ties keep input order",
			report: Report{Findings: []Finding{{CRITICAL, "b"}, {CRITICAL, "a"}, {CRITICAL, "c"}}},
			want:   []string{"TLS CRITICAL: b", "TLS CRITICAL: a", "TLS CRITICAL: c"},
		},
		{
			name:   "one ok target is singular",
			report: Report{Findings: []Finding{{OK, "o1"}, {WARNING, "w1"}}},
			want:   []string{"TLS WARNING: w1", "OK: 1 more target"},
		},
		{
			name:   "noun",
			report: Report{Findings: []Finding{{UNKNOWN, "u1"}, {OK, "o1"}, {OK, "o2"}}, Noun: "group"},
			want:   []string{"TLS UNKNOWN: u1", "OK: 2 more groups"},
		},
		{
			name:   "verbose lists ok findings after the problems",
			report: Report{Findings: []Finding{{OK, "o1"}, {WARNING, "w1"}, {OK, "o2"}}, Verbose: true},
			want:   []string{"TLS WARNING: w1", "OK: o1", "OK: o2"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.report.Tag = "TLS"
			got := tc.report.Message()
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("Message():\n got %q\nwant %q", got, want)
			}
		})
	}
}

// Messages are cut by the agent at 1,024 runes; they must stay under
// MaxRunes with the trailing newline, and say what they left out.
func TestReportMessageFits(t *testing.T) {
	long := func(prefix string, n int) string {
		return prefix + " " + strings.Repeat("証明書の期限切れ", n)
	}
	mixed := func(n, size int) []Finding {
		var fs []Finding
		for i := 0; i < n; i++ {
			s := []Status{OK, WARNING, CRITICAL, UNKNOWN, OK}[i%5]
			fs = append(fs, Finding{s, long(fmt.Sprintf("target-%03d", i), size)})
		}
		return fs
	}
	same := func(s Status, n int, text string) []Finding {
		var fs []Finding
		for i := 0; i < n; i++ {
			fs = append(fs, Finding{s, fmt.Sprintf("%s-%03d", text, i)})
		}
		return fs
	}
	for _, tc := range []struct {
		name     string
		report   Report
		wantTail string // the last line, when the test knows it exactly
	}{
		{name: "many long multi-byte findings", report: Report{Findings: mixed(200, 10)}},
		{name: "many short findings", report: Report{Findings: mixed(1000, 0)}},
		{name: "many short findings, verbose", report: Report{Findings: mixed(1000, 0), Verbose: true}},
		{name: "few huge findings", report: Report{Findings: mixed(7, 300)}},
		{
			// Hundreds of every status: the tail line is long, and must
			// still fit with whatever came before it.
			name: "long tail line",
			report: Report{Findings: append(append(append(append(
				[]Finding{{CRITICAL, strings.Repeat("x", 17)}},
				same(CRITICAL, 150, "critical")...),
				same(UNKNOWN, 150, strings.Repeat("u", 38))...),
				same(WARNING, 150, "w")...),
				same(OK, 150, "o")...)},
		},
		{
			// 1 + 17 lines of 100 runes do not fit after a 100-rune verdict.
			name: "ok lines cut, verbose",
			report: Report{Verbose: true, Findings: append(
				[]Finding{{CRITICAL, strings.Repeat("c", 57)}},
				same(OK, 25, strings.Repeat("o", 92))...)},
			wantTail: "... and 17 more OK",
		},
		{
			name: "warnings and the ok summary cut",
			report: Report{Findings: append(append(
				same(OK, 3, "o"),
				same(CRITICAL, 2, strings.Repeat("c", 460))...),
				same(WARNING, 2, "w")...)},
			wantTail: "... and 5 more (2 WARNING, 3 OK)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.report.Tag = "TLS"
			tc.report.OKVerdict = "verdict"
			msg := tc.report.Message()
			if n := utf8.RuneCountInString(msg) + 1; n > MaxRunes {
				t.Errorf("message with its newline is %d runes, more than %d:\n%s", n, MaxRunes, msg)
			}
			if !utf8.ValidString(msg) {
				t.Errorf("message is not valid UTF-8 (a rune was cut in half)")
			}
			lines := strings.Split(msg, "\n")
			for i, l := range lines {
				if n := utf8.RuneCountInString(l); n > MaxRunes/2 {
					t.Errorf("line %d is %d runes, more than half the message", i+1, n)
				}
			}
			checkCounts(t, tc.report.Findings, lines)
			if tc.wantTail != "" {
				if got := lines[len(lines)-1]; got != tc.wantTail {
					t.Errorf("last line = %q, want %q\nmessage:\n%s", got, tc.wantTail, msg)
				}
			}
		})
	}
}

var (
	okSummary  = regexp.MustCompile(`^OK: (\d+) more targets?$`)
	tailOne    = regexp.MustCompile(`^\.\.\. and (\d+) more (OK|WARNING|CRITICAL|UNKNOWN)$`)
	tailMany   = regexp.MustCompile(`^\.\.\. and (\d+) more \((.*)\)$`)
	tailPart   = regexp.MustCompile(`^(\d+) (OK|WARNING|CRITICAL|UNKNOWN)$`)
	statusLine = regexp.MustCompile(`^TLS (OK|WARNING|CRITICAL|UNKNOWN): `)
)

// checkCounts checks that every finding is accounted for, by status: shown
// on its own line, counted in the OK summary, or counted in the tail line.
func checkCounts(t *testing.T, findings []Finding, lines []string) {
	t.Helper()
	want := map[string]int{}
	for _, f := range findings {
		want[f.Status.String()]++
	}
	got := map[string]int{}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, l := range lines {
		switch m := statusLine.FindStringSubmatch(l); {
		case i == 0 && want["WARNING"]+want["CRITICAL"]+want["UNKNOWN"] == 0:
			// the OK verdict stands for no finding of its own
		case m != nil:
			got[m[1]]++
		case okSummary.MatchString(l):
			got["OK"] += atoi(okSummary.FindStringSubmatch(l)[1])
		case strings.HasPrefix(l, "OK: "):
			got["OK"]++
		case tailOne.MatchString(l):
			m := tailOne.FindStringSubmatch(l)
			got[m[2]] += atoi(m[1])
		case tailMany.MatchString(l):
			m := tailMany.FindStringSubmatch(l)
			sum := 0
			for _, part := range strings.Split(m[2], ", ") {
				p := tailPart.FindStringSubmatch(part)
				if p == nil {
					t.Fatalf("tail line %q: cannot read %q", l, part)
				}
				got[p[2]] += atoi(p[1])
				sum += atoi(p[1])
			}
			if sum != atoi(m[1]) {
				t.Errorf("tail line %q: the parts add up to %d", l, sum)
			}
		default:
			t.Errorf("line %d %q is neither a finding, the OK summary nor the tail", i+1, l)
		}
	}
	for _, s := range []string{"CRITICAL", "UNKNOWN", "WARNING", "OK"} {
		if got[s] != want[s] {
			t.Errorf("%s findings accounted for: %d, want %d\n%s", s, got[s], want[s], strings.Join(lines, "\n"))
		}
	}
}

func TestReportMessageTruncatesHugeLines(t *testing.T) {
	huge := strings.Repeat("é", 5000)
	for _, tc := range []struct {
		name     string
		findings []Finding
		line     int // the line that is cut
		prefix   string
	}{
		{"verdict", []Finding{{CRITICAL, huge}}, 0, "TLS CRITICAL: ééé"},
		{"detail line", []Finding{{WARNING, huge}, {CRITICAL, "short"}}, 1, "TLS WARNING: ééé"},
		{"ok line", []Finding{{OK, huge}, {CRITICAL, "short"}}, 1, "OK: ééé"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Tag: "TLS", Findings: tc.findings, Verbose: true}
			lines := strings.Split(r.Message(), "\n")
			if len(lines) != len(tc.findings) {
				t.Fatalf("message has %d lines, want %d:\n%s", len(lines), len(tc.findings), strings.Join(lines, "\n"))
			}
			l := lines[tc.line]
			if !strings.HasPrefix(l, tc.prefix) || !strings.HasSuffix(l, "é…") {
				t.Errorf("line %d = %.40q...%q, want %q... cut with …", tc.line+1, l, l[len(l)-8:], tc.prefix)
			}
			if n := utf8.RuneCountInString(l); n != (MaxRunes-1)/2 {
				t.Errorf("line %d is %d runes, want %d", tc.line+1, n, (MaxRunes-1)/2)
			}
		})
	}
}
