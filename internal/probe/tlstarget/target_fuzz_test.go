package tlstarget

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// targetSeeds are the forms users write, and the near misses.
var targetSeeds = []string{
	"www.example.com", "www.example.com:8443", "127.0.0.1", "127.0.0.1:443", "[::1]", "[::1]:8443", "::1",
	"2001:db8::1", "[2001:db8::1", "[127.0.0.1]:443", "[::1]x", "a.test:0", "a.test:65536", "a.test:-1", ":443",
	"user:hunter2@a.test", "a.test/path", "a b", "",
	"https://a.test", "https://a.test:8443/path?q=1", "tls://a.test:853", "tls://a.test", "smtp://mail.test",
	"submission://mail.test", "postgres://monitor:hunter2@db.test/db?sslmode=require", "HTTPS://A.TEST",
	"gopher://a.test", "https://", "https://[::1]:443", "https://user:hunter2@a.test:bad", "ldap://%zz",
}

func FuzzParseHost(f *testing.F) {
	for _, s := range targetSeeds {
		f.Add(s, 443)
	}
	f.Fuzz(func(t *testing.T, s string, port int) {
		if port < 1 || port > 65535 {
			port = 443
		}
		target, err := ParseHost(s, port)
		checkTarget(t, s, target, err)
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range targetSeeds {
		f.Add(s, 443)
	}
	f.Fuzz(func(t *testing.T, s string, port int) {
		if port < 1 || port > 65535 {
			port = 443
		}
		target, err := ParseURL(s, port)
		checkTarget(t, s, target, err)
	})
}

// checkTarget holds for every input: a target has a host and a port in
// range, and neither it nor an error repeats a password given in it. (A
// password with a quote could match the quote that closes the host an
// error quotes, so those are left out.)
func checkTarget(t *testing.T, s string, target Target, err error) {
	t.Helper()
	if at := strings.LastIndex(s, "@"); at > 0 {
		if _, pass, ok := strings.Cut(s[:at], ":"); ok && len(pass) >= 4 && !strings.ContainsAny(pass, "/@[]\"") {
			var text string
			if err != nil {
				text = err.Error()
			} else {
				text = target.Label()
			}
			if strings.Contains(text, pass) && !strings.Contains(s[at:], pass) && utf8.ValidString(pass) {
				t.Fatalf("%q: password %q repeated in %q", s, pass, text)
			}
		}
	}
	if err != nil {
		return
	}
	if target.Host == "" || target.Port < 1 || target.Port > 65535 {
		t.Fatalf("%q: target %+v", s, target)
	}
	if target.StartTLS != "" && StartTLSPort(target.StartTLS) == 0 {
		t.Fatalf("%q: unknown STARTTLS protocol %q", s, target.StartTLS)
	}
}
