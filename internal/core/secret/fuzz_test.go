package secret

import (
	"encoding/json"
	"html"
	"strconv"
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

// FuzzMask feeds the masker what servers send back with a secret in it: a
// JSON document, an HTML page, a header echo, a redirect's query, in each
// form the secret may take, cut anywhere, with text of the fuzzer's own
// around it. No Run bytes of any form of the secret may survive.
func FuzzMask(f *testing.F) {
	for _, seed := range []struct {
		secret, around string
		shape, cut     uint8
	}{
		{`s3"cret-pw`, "", 0, 0},
		{`s3&cret-pw`, "<p>", 1, 7},
		{"tab\tand\\back", `{"a":`, 2, 200},
		{"LongSecretValue_ABCDEFGHIJ", "tonumber cannot be applied to ", 3, 24},
		{"pässwörd-ünïcode", "%", 4, 3},
		{"a b+c/d?e=f&g#h", "+", 5, 11},
	} {
		f.Add(seed.secret, seed.around, seed.shape, seed.cut)
	}
	f.Fuzz(func(t *testing.T, secret, around string, shape, cut uint8) {
		var m Masker
		_ = m.Mask(around) // nothing registered: never panics
		m.Add(secret)
		_ = m.Mask(around) // whatever the text: never panics
		if len(secret) < Run || len(secret) > 256 || len(around) > 1024 || strings.Contains(secret, Mask[:1]) {
			// A short secret is masked only whole; "*" is the mask's own;
			// checking every piece of a long one would take the time.
			return
		}
		fs := Forms(secret)
		form := fs[int(shape)%len(fs)]
		if len(form) < Run {
			return // white space collapsed
		}
		form = form[:len(form)-int(cut)%(len(form)-Run+1)] // a cut leaves at least Run bytes
		var body string
		switch shape % 6 {
		case 0:
			b, _ := json.Marshal(map[string]string{"token": form, "note": around})
			body = string(b)
		case 1:
			body = "<html><body><p>" + html.EscapeString(around) + "</p><input value=\"" + form + "\"></body></html>"
		case 2:
			body = "HTTP/1.1 200 OK\r\nX-Echo: " + form + "\r\nX-Other: " + around + "\r\n\r\n"
		case 3:
			body = around + form + around
		case 4:
			body = "Location: https://h/cb?code=" + form + "&state=" + around
		case 5:
			body = strconv.Quote(around + form)
		}
		got := m.Mask(body)
		for _, f := range fs {
			for i := 0; i+Run <= len(f); i++ {
				if strings.Contains(got, f[i:i+Run]) {
					t.Fatalf("Mask(%q) = %q leaves %q of the form %q of %q", body, got, f[i:i+Run], f, secret)
				}
			}
		}
	})
}
