package main

import (
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// TestUsageErrorHidesURLSecrets runs usage errors that quote a URL whose
// query or user info holds a password: the message must still say what
// is wrong, and hunter2 must appear nowhere.
func TestUsageErrorHidesURLSecrets(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unsupported scheme", []string{"bogus://db:5432/x?password=hunter2&sslmode=require"},
			[]string{"TLS UNKNOWN: unsupported URL scheme \"bogus\" in bogus://db:5432/x?password=***&sslmode=require"}},
		{"a second target", []string{"postgres://db:5432/x?password=hunter2&sslmode=require", "-u", "bogus://db/?token=hunter2"},
			[]string{"TLS UNKNOWN: unsupported URL scheme \"bogus\" in bogus://db/?token=***"}},
		{"URL as a host", []string{"-H", "postgres://db:5432/x?password=hunter2"},
			[]string{"TLS UNKNOWN: host \"postgres://db:5432/x?password=***\" is a URL"}},
		{"unparsable URL", []string{"postgres://db:5432/%zz?sslmode=require&password=hunter2"},
			[]string{"TLS UNKNOWN: cannot parse URL", "password=***"}},
		{"bad port", []string{"postgres://db:99999/x?PASSWORD=hunter2"},
			[]string{"TLS UNKNOWN: URL postgres://db:99999/x?PASSWORD=***"}},
		{"user info and query", []string{"bogus://admin:hunter2@db/x?api_key=hunter2"},
			[]string{"TLS UNKNOWN: unsupported URL scheme \"bogus\" in bogus://***@db/x?api_key=***"}},
		{"user info before a broken scheme", []string{"admin:hunter2@://db"},
			[]string{"TLS UNKNOWN: unsupported URL scheme", "in ***@://db"}},
		// A "/" or "#" in the password ends the authority early: url.Parse
		// then quotes a piece of it as a port or a host.
		{"slash and hash in the password", []string{"https://monitor:hunt/er2#x@db"},
			[]string{"TLS UNKNOWN: cannot parse URL \"https://***@db\"", "percent-encode the user info"}},
		{"slash in the password, a port", []string{"-u", "https://monitor:hunter2/x@db:443"},
			[]string{"TLS UNKNOWN: cannot parse URL \"https://***@db:443\"", "percent-encode the user info"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testutil.Run(t, testutil.Binary(t, "check-tls-expiry"), nil, tc.args...)
			r.Expect(t, 3, tc.want...)
			if strings.Contains(r.Stdout+r.Stderr, "hunt") {
				t.Errorf("the password is printed:\nstdout: %s\nstderr: %s", r.Stdout, r.Stderr)
			}
		})
	}
}
