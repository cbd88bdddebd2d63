package check

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"日本語 ok", "日本語 ok"},
		{"a\nTLS OK: forged", `a\nTLS OK: forged`},
		{"cr\rlf\r\n", `cr\rlf\r\n`},
		{"tab\there", `tab\there`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"nel\u0085csi\u009b", `nel\u0085csi\u009b`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`},
		{"bad \xff\xfe utf-8", `bad \xff\xfe utf-8`},
		{`a\nb stays`, `a\nb stays`},
	} {
		if got := Sanitize(tc.in); got != tc.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

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
			if c != '\n' && unsafe(c) {
				t.Errorf("message keeps %U:\n%q", c, msg)
			}
		}
		if !utf8.ValidString(msg) {
			t.Errorf("message is not valid UTF-8: %q", msg)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "ok", "a\nb", "\x1b[0m", "\u2028", "\xff", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		for _, c := range out {
			if unsafe(c) {
				t.Fatalf("Sanitize(%q) = %q keeps %U", s, out, c)
			}
		}
		if Sanitize(out) != out {
			t.Fatalf("Sanitize is not idempotent on %q", s)
		}
	})
}
