package procgroup

import (
	"slices"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"sidekiq", []string{"sidekiq"}},
		{"fixture .*-far", []string{"fixture ", "-far"}},
		{"^/usr/sbin/nginx$", []string{"/usr/sbin/nginx"}},
		{"(?i)sidekiq", nil},
		{"a|b", nil},
		{"sidekiq (worker)?", []string{"sidekiq "}},
		{"(web|worker)-[0-9]+\\.rb", []string{"w", "-", ".rb"}}, // factored: w(eb|orker)
		{"(queue)+x", []string{"queue", "x"}},
		{"x{0,3}y", []string{"y"}},
	} {
		p, err := compilePattern(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.required, tc.want) {
			t.Errorf("%q: required %q, want %q", tc.expr, p.required, tc.want)
		}
	}
}

// The literals only rule lines out: whatever the regexp matches still
// matches.
func TestPatternAgreesWithRegexp(t *testing.T) {
	lines := []string{"", "sidekiq 7.1 app [0 of 10 busy]", "/usr/sbin/nginx -g daemon off;", "ruby worker-12.rb", "ruby web-3.rb", "fixture idle", "/x/fixture -tls 50 -far 50", "Sidekiq"}
	for _, expr := range []string{"sidekiq", "fixture .*-far", "(?i)SIDEKIQ", "(web|worker)-[0-9]+\\.rb", "^$", "nginx|sidekiq", "a*", "busy\\]$"} {
		p, err := compilePattern(expr)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if got, want := p.MatchString(l), p.re.MatchString(l); got != want {
				t.Errorf("%q on %q: %v, regexp says %v", expr, l, got, want)
			}
		}
	}
}
