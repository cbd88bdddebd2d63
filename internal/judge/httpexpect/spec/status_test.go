package spec

import (
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
)

func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		spec   string
		judged map[int]check.Status
		str    string
	}{
		{"", map[int]check.Status{200: check.OK, 302: check.OK, 399: check.OK, 199: check.CRITICAL, 404: check.CRITICAL, 500: check.CRITICAL}, "200-399"},
		{"200", map[int]check.Status{200: check.OK, 204: check.CRITICAL, 302: check.CRITICAL}, "200"},
		{"200, 302", map[int]check.Status{200: check.OK, 302: check.OK, 301: check.CRITICAL}, "200,302"},
		{"200-204", map[int]check.Status{200: check.OK, 204: check.OK, 205: check.CRITICAL}, "200-204"},
		{"2xx,3XX", map[int]check.Status{200: check.OK, 299: check.OK, 399: check.OK, 400: check.CRITICAL}, "2xx,3XX"},
		// Mappings amend the default, as Mackerel's check-http does.
		{"404=warning", map[int]check.Status{200: check.OK, 404: check.WARNING, 403: check.CRITICAL, 500: check.CRITICAL}, "404=warning"},
		{"500-599=WARNING,404=ok", map[int]check.Status{503: check.WARNING, 404: check.OK, 200: check.OK, 401: check.CRITICAL}, "500-599=warning,404=ok"},
		{"200=critical", map[int]check.Status{200: check.CRITICAL, 201: check.OK}, "200=critical"},
		// Mixed with plain codes, the plain codes replace the default.
		{"200,404=warning", map[int]check.Status{200: check.OK, 404: check.WARNING, 302: check.CRITICAL}, "200,404=warning"},
		// The first rule that matches decides.
		{"404=warning,4xx=critical", map[int]check.Status{404: check.WARNING, 403: check.CRITICAL}, "404=warning,4xx=critical"},
	} {
		s, err := ParseStatus(tc.spec)
		if err != nil {
			t.Errorf("ParseStatus(%q): %v", tc.spec, err)
			continue
		}
		for code, want := range tc.judged {
			if got := s.Judge(code); got != want {
				t.Errorf("ParseStatus(%q).Judge(%d) = %v, want %v", tc.spec, code, got, want)
			}
		}
		if got := s.String(); got != tc.str {
			t.Errorf("ParseStatus(%q).String() = %q, want %q", tc.spec, got, tc.str)
		}
	}
}

func TestParseStatusErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"20", `"20" is not an HTTP status code`},
		{"2000", `"2000" is not an HTTP status code`},
		{"ok", `"ok" is not an HTTP status code`},
		{"600", `"600" is not an HTTP status code`},
		{"6xx", `"6xx" is not an HTTP status code`},
		{"399-200", "ends before it starts"},
		{"200,,302", "empty item"},
		{"404=warn", `"warn" is not a state: map codes to ok, warning or critical`},
		{"=ok", `"" is not an HTTP status code`},
		{"200-", `"" is not an HTTP status code`},
	} {
		_, err := ParseStatus(tc.spec)
		if err == nil {
			t.Errorf("ParseStatus(%q) succeeded, want an error", tc.spec)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "status \""+tc.spec+"\"") {
			t.Errorf("ParseStatus(%q) = %q, want it to quote the spec and say %q", tc.spec, err, tc.want)
		}
	}
}
