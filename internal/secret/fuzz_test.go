package secret

import (
	"strings"
	"testing"
)

// FuzzExpand checks that expansion is one pass: whatever a variable's
// value holds (a response is the peer's to write), it is substituted as
// it is, and the environment's secret never appears unless the template
// itself asks for it.
func FuzzExpand(f *testing.F) {
	for _, seed := range [][2]string{
		{"Bearer ${v}", "${env:FRONTLINE_FUZZ_SECRET}"},
		{"${v}${v}", "$${env:FRONTLINE_FUZZ_SECRET}"},
		{"$${v} ${v}", "}"},
		{"a ${v", "${"},
		{"${}", ""},
		{"$$${v}", "${file:/etc/passwd}"},
		{"${vault:x} ${v}", "x"},
		{"${env:}", "${v}"},
	} {
		f.Add(seed[0], seed[1])
	}
	const secret = "fuzz-env-secret-6d1f"
	f.Fuzz(func(t *testing.T, template, value string) {
		t.Setenv("FRONTLINE_FUZZ_SECRET", secret)
		if strings.Contains(template, "env:") || strings.Contains(template, "file:") || strings.Contains(value, secret) {
			return // the template may name the environment's secret or a file itself
		}
		var m Masker
		got, err := m.ExpandVars(template, Map{"v": {Value: value}}.Lookup)
		if err != nil {
			return
		}
		if strings.Contains(got, secret) {
			t.Fatalf("ExpandVars(%q) with v=%q = %q: a value was expanded again", template, value, got)
		}
		// Without the variable's value, what is left is the template's
		// own text with only "$${" unescaped.
		plain, err := m.ExpandVars(template, Map{"v": {}}.Lookup)
		if err != nil {
			t.Fatalf("ExpandVars(%q) failed with an empty v but not with v=%q: %v", template, value, err)
		}
		if strings.Count(plain, "${") > strings.Count(template, "${") {
			t.Fatalf("ExpandVars(%q) = %q made references of its own", template, plain)
		}
		// A secret variable is masked in the text it made.
		var sm Masker
		out, err := sm.ExpandVars(template, Map{"v": {Value: value, Secret: true}}.Lookup)
		if err != nil {
			t.Fatalf("ExpandVars(%q) failed with a secret v=%q only: %v", template, value, err)
		}
		// An occurrence of a value without "*" cannot straddle a mask.
		if out != plain && !strings.Contains(value, "*") && strings.Contains(sm.Mask(out), value) {
			t.Fatalf("Mask(%q) shows the secret %q", out, value)
		}
	})
}

// FuzzRedactURL checks that a password given as user info or as a
// secret query parameter is never shown, whatever surrounds it.
func FuzzRedactURL(f *testing.F) {
	for _, seed := range []string{
		"postgres://db:5432/x",
		"https://h/p",
		"smtp://user:p@ss word@mail:587/%zz",
		"https://h/cb#state=1",
		"db:5432/x",
		"https://u@h:1/@x",
		"",
		"%",
		"https://[::1",
	} {
		f.Add(seed)
	}
	const pw = "Hunter2x9"
	f.Fuzz(func(t *testing.T, s string) {
		_ = RedactURL(s) // never panics
		if strings.Contains(s, pw) || strings.ContainsAny(s, "?#") {
			return // the password or a query is the input's own
		}
		for _, u := range []string{
			s + "?password=" + pw,
			s + "?a=1&Token=" + pw + "&b=2",
			s + "#access_token=" + pw,
		} {
			if got := RedactURL(u); strings.Contains(got, pw) {
				t.Fatalf("RedactURL(%q) = %q shows the password", u, got)
			}
		}
		if i := strings.Index(s, "://"); i >= 0 {
			u := s[:i+3] + "user:" + pw + "@" + s[i+3:]
			if got := RedactURL(u); strings.Contains(got, pw) {
				t.Fatalf("RedactURL(%q) = %q shows the password", u, got)
			}
		}
	})
}
