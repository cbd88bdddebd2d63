package check

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// Every text that reaches a message is sanitised: findings, the OK
// verdict, and a drill file's note.
func TestMessageSanitizes(t *testing.T) {
	forged := "x\nTLS OK: forged\u2028\x1b]0;title\x07"
	for _, r := range []*Report{
		{Findings: []Finding{{CRITICAL, forged}}},
		{Findings: []Finding{{OK, forged}, {WARNING, forged}}, Verbose: true},
		{Findings: []Finding{{OK, "a"}}, OKVerdict: forged},
		{Findings: []Finding{{OK, "a"}}, OKVerdict: "fine", Drill: &Drill{Path: "/d", Status: CRITICAL, Note: forged}},
		{Findings: []Finding{{CRITICAL, "a"}}, Drill: &Drill{Path: "/d\n" + forged, Status: OK, Note: forged}},
	} {
		r.Tag = "TLS"
		msg := r.Message()
		for _, l := range strings.Split(msg, "\n") {
			if strings.HasPrefix(l, "TLS OK: forged") {
				t.Errorf("a forged line got through:\n%s", msg)
			}
		}
		for _, c := range msg {
			if c != '\n' && textfmt.Sanitize(string(c)) != string(c) {
				t.Errorf("message keeps %U:\n%q", c, msg)
			}
		}
		if !utf8.ValidString(msg) {
			t.Errorf("message is not valid UTF-8: %q", msg)
		}
	}
}
