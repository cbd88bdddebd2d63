//go:build linux || darwin

package autorecover

import (
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
)

// The last line an attempt records keeps no piece of a secret, however
// long the output before it and wherever its writes were cut.
func TestAttemptLastKeepsNoPieceOfASecret(t *testing.T) {
	const tok = "R3c0verT0kenXYZ99"
	var m secret.Masker
	m.Add(tok)
	for _, tc := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"a short output", []string{"starting\n", "nginx is up\n"}, "nginx is up"},
		{"blank lines after the last", []string{"nginx is up\n \r\n\t\n"}, "nginx is up"},
		{"no newline at the end", []string{"a\nnginx ", "is up"}, "nginx is up"},
		{"a secret where a long output was cut", []string{strings.Repeat("x", 4890) + tok + strings.Repeat("y", 4093) + "\n"}, strings.Repeat("x", 199) + "…"},
		{"a secret in a long last line", []string{"start\n", strings.Repeat("x", 100) + tok + strings.Repeat("y", 9000)}, strings.Repeat("x", 100) + "***" + strings.Repeat("y", 96) + "…"},
		{"a secret cut near the end of a long line", []string{strings.Repeat("x", 9000-14) + tok + "yyy\n"}, strings.Repeat("x", 199) + "…"},
		{"a secret after a long line", []string{strings.Repeat("x", 9000) + "\n" + tok[:5], tok[5:] + " done\n"}, "*** done"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l lastLine
			for _, w := range tc.writes {
				l.Write([]byte(w))
			}
			if got := attemptLast(&m, l.String()); got != tc.want {
				t.Errorf("attemptLast = %.60q…, want %.60q…", got, tc.want)
			}
		})
	}
}
