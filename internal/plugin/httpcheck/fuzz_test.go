package httpcheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/scenariofile"
)

// FuzzParse checks that whatever a scenario file holds, loading it never
// panics, and a refusal is one line, with a line number when it has one.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"name: login\nbase_url: https://h\nsteps:\n  - get: /\n    expect: {status: [200, 302], jq: ['.a == 1']}\n    extract: {t: {regex: 'x(.)'}}\n  - post: /x/${t}\n    json: {a: [1, {b: null}]}\n",
		"steps:\n  - get: https://h/\n    form: {a: 1, b: true}\n    headers: {X: 2.5}\n",
		"a: &a [1, *a]\n",
		"steps: &s\n  - get: *s\n",
		"? [a]\n: b\n",
		"steps:\n  - {get: https://h/, severity: warning, extract: {x: {header: Set-Cookie}}}\n  - get: https://h/${x}\n",
		"--- \n...\n",
		"steps:\n  - get: |\n      https://h/\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, yml string) {
		_, err := parseScenario("f.yml", []byte(yml), new(secret.Masker))
		if err == nil {
			return
		}
		var le *scenariofile.Error
		if errors.As(err, &le) && le.Line < 0 {
			t.Fatalf("error at line %d: %v", le.Line, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("error spans lines: %q", err)
		}
	})
}
