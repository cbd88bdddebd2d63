package cli_test

import (
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// An empty --ca-file= or --drill-file= (a variable that was not set) is
// a usage error in every plugin, not the flag left out without a word.
func TestEmptyPathFlagsRefused(t *testing.T) {
	for _, tc := range []struct {
		plugin, tag string
		args        []string
	}{
		{"check-process", "PROCESS", []string{"-n", "x", "--drill-file="}},
		{"check-tls-expiry", "TLS", []string{"--drill-file=", "127.0.0.1:1"}},
		{"check-tls-expiry", "TLS", []string{"--ca-file=", "127.0.0.1:1"}},
		{"check-http-e2e", "HTTP", []string{"--drill-file=", "-u", "http://127.0.0.1:1/"}},
		{"check-http-e2e", "HTTP", []string{"--ca-file=", "-u", "https://127.0.0.1:1/"}},
		{"mackerel-plugin-app", "mackerel-plugin-app", []string{"--ca-file=", "--tls", "a=127.0.0.1:1"}},
	} {
		t.Run(tc.plugin+" "+strings.Join(tc.args, " "), func(t *testing.T) {
			r := testutil.Run(t, testutil.Binary(t, tc.plugin), nil, tc.args...)
			flag := "--ca-file"
			if strings.Contains(strings.Join(tc.args, " "), "--drill-file") {
				flag = "--drill-file"
			}
			out := r.Stdout + r.Stderr
			if want := tc.tag + " UNKNOWN: " + flag + " is empty: give a path, or leave the flag out"; r.Code != 3 || !strings.HasPrefix(out, want) {
				t.Errorf("exit %d, %q; want exit 3 and %q", r.Code, out, want)
			}
		})
	}
}
