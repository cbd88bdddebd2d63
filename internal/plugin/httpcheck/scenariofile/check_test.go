package scenariofile

import (
	"errors"
	"strings"
	"testing"
)

// Check, for a file meant for another host, reads neither the environment
// nor files, checks the form of their references, and places each
// problem at its line and column.
func TestCheck(t *testing.T) {
	t.Setenv("SCENARIO_SECRET", "")
	const head = "name: login\nsteps:\n"
	for _, tc := range []struct {
		name, yml string
		line, col int
		want      string // "" for no error
	}{
		{"references the host resolves", "base_url: ${env:BASE_URL}\nheaders: {Authorization: 'Bearer ${file:/etc/nonexistent/token}'}\n" + head + "  - post: /login\n    form: {password: '${env:UNSET_ON_THIS_HOST}'}\n", 0, 0, ""},
		{"a reference without a name", head + "  - get: https://h/\n    headers: {X-A: '${env:}'}\n", 4, 15, "${env:} names no variable"},
		{"a file reference without a path", head + "  - get: https://h/${file:}\n", 3, 5, "${file:} names no file"},
		{"an unknown reference", head + "  - get: https://h/${vault:x}\n", 3, 5, "unknown reference ${vault:x}"},
		{"unknown key", head + "  - get: https://h/\n    expext: {status: 200}\n", 4, 5, `unknown key "expext" in step 1`},
		{"bad jq in a flow mapping", head + "  - get: https://h/\n    expect: {jq: '.a =='}\n", 4, 14, `step 1 expect.jq: jq ".a ==": unexpected EOF`},
		{"variable before extraction", head + "  - get: https://h/${tok}\n  - get: https://h/\n    extract: {tok: {jq: .t}}\n", 3, 5, "uses ${tok}, which step 2 extracts only later"},
		{"not YAML", "name: [x\n", 1, 7, "not valid YAML"},
		{"brackets too deep", "steps: " + strings.Repeat("[", 40) + "\n", 1, 0, "brackets nest more than 32 deep"},
		{"empty", "", 0, 0, "the file is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Check("j.yaml", []byte(tc.yml))
			if tc.want == "" {
				if err != nil || s == nil {
					t.Fatalf("Check = %v, %v; want the scenario", s, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check error %v (%T), want *Error", err, err)
			}
			if !strings.Contains(e.Msg, tc.want) || e.Path != "j.yaml" || e.Line != tc.line || tc.col > 0 && e.Col != tc.col {
				t.Errorf("Check error at %d:%d %q in %s, want %d:%d %q", e.Line, e.Col, e.Msg, e.Path, tc.line, tc.col, tc.want)
			}
		})
	}
}

// A journey with no name: is named after the file as the host names it.
func TestCheckNamesAfterThePath(t *testing.T) {
	s, err := Check("/etc/mackerel-agent/conf.d/frontline-shop-http-login.scenario.yaml", []byte("steps:\n  - get: https://h/\n"))
	if err != nil || s.Name != "frontline-shop-http-login.scenario" {
		t.Errorf("Check = %+v, %v; want it named after the file", s, err)
	}
}

// The file's cap is the binary's.
func TestCheckTooBig(t *testing.T) {
	_, err := Check("j.yaml", make([]byte, FileLimit+1))
	if err == nil || !strings.Contains(err.Error(), "more than the 262144 a scenario may be") {
		t.Errorf("Check of a file over the cap: %v", err)
	}
}
