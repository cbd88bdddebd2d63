package testutil

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
)

// SecretRun is the length of the shortest piece of a secret no output may
// show: secret.Run, which this package cannot import (secret's own
// tests use this one).
const SecretRun = 8

// ExpectNoSecret fails the test when the run printed, on stdout or
// stderr, SecretRun bytes of any form of any of secrets (see
// SecretForms). A form shorter than SecretRun must not appear whole.
func (r Result) ExpectNoSecret(t testing.TB, secrets ...string) {
	t.Helper()
	out := r.Stdout + r.Stderr
	for _, s := range secrets {
		if piece := SecretPiece(out, s); piece != "" {
			t.Errorf("output shows %q of the secret %q:\nstdout: %s\nstderr: %s", piece, s, r.Stdout, r.Stderr)
		}
	}
}

// SecretPiece returns a piece of a form of s that text holds: SecretRun
// bytes of it, or the whole of a shorter form. "" means none.
func SecretPiece(text, s string) string {
	for _, f := range SecretForms(s) {
		if len(f) < SecretRun {
			if f != "" && strings.Contains(text, f) {
				return f
			}
			continue
		}
		for i := 0; i+SecretRun <= len(f); i++ {
			if strings.Contains(text, f[i:i+SecretRun]) {
				return f[i : i+SecretRun]
			}
		}
	}
	return ""
}

// SecretForms are the forms a server may echo s in: raw, URL-escaped
// (with "+" and "%20" for space), base64 (standard and URL alphabets,
// padded or not), JSON-string-escaped (HTML-safe or not) and
// HTML-escaped (numeric and named entities). It is written apart from
// the masker's own list, so that a form the masker forgets fails a test.
func SecretForms(s string) []string {
	out := []string{s, url.QueryEscape(s), url.PathEscape(s)}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		out = append(out, enc.EncodeToString([]byte(s)))
	}
	for _, escapeHTML := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		enc.Encode(s) //nolint:errcheck // a string always encodes
		j := strings.TrimSpace(b.String())
		out = append(out, j[1:len(j)-1])
	}
	named := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")
	return append(out, html.EscapeString(s), named.Replace(s))
}

// ServeUnsolicited starts fixture.Unsolicited on loopback, redirecting
// to next, and returns its base URL.
func ServeUnsolicited(t testing.TB, next string) string {
	t.Helper()
	l := listenLoopback(t)
	go fixture.Unsolicited(l, next)
	return "http://" + l.Addr().String()
}
