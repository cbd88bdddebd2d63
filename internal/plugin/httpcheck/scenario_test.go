package httpcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// load loads yml from a file called login.yml and returns the error with
// the file's directory left out.
func load(t *testing.T, yml string) (*scenario, string) {
	t.Helper()
	path := testutil.WriteFile(t, "login.yml", []byte(yml))
	s, err := loadScenario(context.Background(), path, new(secret.Masker))
	if err != nil {
		return nil, strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), "")
	}
	return s, ""
}

func TestLoadErrors(t *testing.T) {
	t.Setenv("E2E_USER", "u")
	t.Setenv("E2E_UNSET", "") // restored when the test ends
	os.Unsetenv("E2E_UNSET")
	const head = "name: login\nbase_url: https://app.example.com\nsteps:\n"
	for _, tc := range []struct {
		name, yml, want string
	}{
		{"unknown step key, as the README shows", head + `  - name: login form
    get: /login
    expect: {status: 200}
  - name: sign in
    post: /login
    form:
      user: u
      password: p
    expext: {status: 302}
`, `scenario login.yml line 12: unknown key "expext" in step 2; known keys: name, method, url, get, post, put, patch, delete, head, options, headers, body, form, json, follow_redirects, expect, extract, severity, cert_warning, cert_critical, max_body, max_redirects, timeout`},
		{"unknown top-level key", "name: x\nsteps:\n  - get: https://h/\nretries: 3\n",
			`scenario login.yml line 4: unknown key "retries" in the scenario; known keys: name, base_url, timeout, headers, steps`},
		{"unknown expect key", head + "  - get: /\n    expect:\n      status: 200\n      stauts: 302\n",
			`scenario login.yml line 7: unknown key "stauts" in step 1 expect; known keys: status, contains, not_contains, regex, not_regex, jq, header, max_time`},
		{"unknown extract key", head + "  - get: /\n    extract: {tok: {regexp: 'x'}}\n",
			`scenario login.yml line 5: unknown key "regexp" in step 1 extract tok; known keys: regex, jq, header, cookie, secret`},
		{"not YAML", "name: [x\n", `scenario login.yml line 1: not valid YAML: `},
		{"empty steps", "name: x\nsteps: []\n", "scenario login.yml line 2: steps is an empty list"},
		{"brackets too deep", "name: x\nsteps: " + strings.Repeat("[", 33) + strings.Repeat("]", 33) + "\n", "scenario login.yml line 2: brackets nest more than 32 deep"},
		{"brackets in quotes", "name: '" + strings.Repeat("[", 40) + "'\nsteps: []\n", "scenario login.yml line 2: steps is an empty list"},
		{"max_body not a number", head + "  - get: /\n    max_body: 1MiB\n", `scenario login.yml line 5: max_body wants a number of bytes, got the string "1MiB"`},
		{"max_body too large", "max_body: 1000000000\n" + head + "  - get: /\n", "scenario login.yml line 1: max_body 1000000000: give a number of bytes from 1 to 16777216"},
		{"max_redirects negative", head + "  - get: /\n    max_redirects: -1\n", "scenario login.yml line 5: max_redirects -1: give 0 or more"},
		{"step timeout zero", head + "  - get: /\n    timeout: 0s\n", "scenario login.yml line 5: timeout must be more than zero"},
		{"header with a line break", head + "  - get: /\n    headers: {X-A: \"a\\nb\"}\n", "scenario login.yml line 5: step 1 headers X-A: a header value cannot hold a line break"},
		{"user info and Authorization", head + "  - get: https://u:p@h/\n    headers: {Authorization: Bearer x}\n", "scenario login.yml line 4: step 1 has user info in its URL and an Authorization header"},
		{"base_url user info and Authorization", "base_url: https://u:p@h\nheaders: {authorization: Bearer x}\nsteps:\n  - get: /x\n", "scenario login.yml line 4: step 1 has user info in its URL and an Authorization header"},
		{"port out of range", head + "  - get: https://h:65536/\n", `scenario login.yml line 4: step 1 get "https://h:65536/": port "65536" is not a number from 1 to 65535`},
		{"empty", "", "scenario login.yml: the file is empty"},
		{"no steps", "name: x\n", "scenario login.yml line 1: no steps"},
		{"steps not a list", "name: x\nsteps: {get: /}\n", "scenario login.yml line 2: steps must be a list of steps, got a mapping"},
		{"step not a mapping", head + "  - /login\n", `scenario login.yml line 4: step 1 must be a mapping, got the string "/login"`},
		{"no URL", head + "  - name: x\n", "scenario login.yml line 4: step 1 has no URL: write get: /path"},
		{"two methods", head + "  - get: /\n    post: /\n", "scenario login.yml line 5: step 1 has get: and post: give the method once"},
		{"method and get", head + "  - get: /\n    method: PUT\n", "scenario login.yml line 5: step 1 has method: and get: give the method once"},
		{"url and get", head + "  - url: /\n    get: /\n", "scenario login.yml line 5: step 1 has url: and get: give the URL once"},
		{"bad method", head + "  - method: 'GET /x'\n    url: /\n", `scenario login.yml line 4: step 1 method "GET /x" is not an HTTP method`},
		{"relative without base", "steps:\n  - get: /login\n", `scenario login.yml line 2: step 1 get "/login" is relative and the scenario has no base_url`},
		{"not http", "steps:\n  - get: ftp://h/x\n", `scenario login.yml line 2: step 1 get "ftp://h/x": only http:// and https:// URLs with a host`},
		{"bad base_url", "base_url: app.example.com\nsteps:\n  - get: /\n", `scenario login.yml line 1: base_url "app.example.com" is not an http:// or https:// URL with a host`},
		{"timeout type", "timeout: [1]\nsteps:\n  - get: https://h/\n", "scenario login.yml line 1: timeout wants a duration (2s, 1m30s) or seconds, got a list"},
		{"timeout value", "timeout: soon\nsteps:\n  - get: https://h/\n", `scenario login.yml line 1: timeout: "soon" is not a duration`},
		{"name type", "name: {a: b}\nsteps:\n  - get: https://h/\n", "scenario login.yml line 1: name wants a string, got a mapping"},
		{"follow_redirects type", head + "  - get: /\n    follow_redirects: no-thanks\n", `scenario login.yml line 5: follow_redirects wants true or false, got the string "no-thanks"`},
		{"bad status", head + "  - get: /\n    expect: {status: 2000}\n", `scenario login.yml line 5: step 1 expect.status: status "2000": "2000" is not an HTTP status code`},
		{"status type", head + "  - get: /\n    expect: {status: true}\n", "scenario login.yml line 5: step 1 expect.status wants a code (200), a list of codes ([200, 302]) or a spec"},
		{"bad regex", head + "  - get: /\n    expect:\n      regex: ['ok', '(unclosed']\n", `scenario login.yml line 6: step 1 expect.regex: regular expression "(unclosed": missing closing )`},
		{"bad jq", head + "  - get: /\n    expect: {jq: '.a =='}\n", `scenario login.yml line 5: step 1 expect.jq: jq ".a ==": unexpected EOF`},
		{"contains a number", head + "  - get: /\n    expect: {contains: 42}\n", "scenario login.yml line 5: step 1 expect.contains wants a string or a list of strings, got the number 42 (quote it)"},
		{"header expectation", head + "  - get: /\n    expect:\n      header:\n        'Bad Name': x\n", `scenario login.yml line 7: step 1 expect.header: header match: "Bad Name" is not a header name`},
		{"max_time", head + "  - get: /\n    expect: {max_time: 0}\n", "scenario login.yml line 5: max_time must be more than zero"},
		{"two bodies", head + "  - post: /\n    body: x\n    json: {a: 1}\n", "scenario login.yml line 6: step 1 has body: and json: give one body"},
		{"form not a mapping", head + "  - post: /\n    form: [a]\n", "scenario login.yml line 5: step 1 form must be a mapping of field names to values, got a list"},
		{"severity", head + "  - get: /\n    severity: minor\n", `scenario login.yml line 5: step 1 severity "minor": write warning or critical`},
		{"extract two ways", head + "  - get: /\n    extract:\n      tok: {header: X-A, jq: .x}\n", "scenario login.yml line 6: step 1 extract tok has header: and jq: extract from one of them (regex: may refine either)"},
		{"extract a bad cookie name", head + "  - get: /\n    extract:\n      tok: {cookie: \"a b\"}\n", `scenario login.yml line 6: step 1 extract tok: "a b" is not a cookie name`},
		{"extract no way", head + "  - get: /\n    extract:\n      tok: {secret: true}\n", "scenario login.yml line 6: step 1 extract tok says neither regex:, jq:, header: nor cookie:"},
		{"bad variable name", head + "  - get: /\n    extract:\n      1tok: {jq: .x}\n", `scenario login.yml line 6: step 1 extract: "1tok" is not a variable name`},
		{"undefined variable", head + "  - get: /x?t=${tok}\n", "scenario login.yml line 4: step 1 get: undefined variable ${tok}: extract it in an earlier step"},
		{"variable of a later step", head + "  - get: /\n  - get: /x\n    headers: {X-T: '${tok}'}\n  - get: /y\n    extract: {tok: {jq: .t}}\n",
			"scenario login.yml line 6: step 2 headers X-T uses ${tok}, which step 3 extracts only later: move the extraction before its use"},
		{"variable of its own step", head + "  - get: /x/${tok}\n    extract: {tok: {jq: .t}}\n",
			"scenario login.yml line 4: step 1 get uses ${tok}, which this step extracts from its own response: only later steps can use it"},
		{"variable of a warning step", head + "  - get: /\n    severity: warning\n    extract: {tok: {jq: .t}}\n  - post: /\n    json: {t: '${tok}'}\n",
			"scenario login.yml line 8: step 2 json uses ${tok}, which step 1 extracts, but that step has severity: warning"},
		{"variable in scenario headers", "headers: {X-T: '${tok}'}\nsteps:\n  - get: https://h/\n",
			"scenario login.yml line 1: headers X-T: ${tok}: variables are extracted by steps and usable in later steps only"},
		{"unset environment variable", head + "  - post: /\n    form: {user: '${env:E2E_UNSET}'}\n",
			"scenario login.yml line 5: step 1 form user: ${env:E2E_UNSET}: environment variable E2E_UNSET is not set"},
		{"unreadable file secret", head + "  - get: /\n    headers: {Authorization: 'Bearer ${file:/nonexistent/token}'}\n",
			"scenario login.yml line 5: step 1 headers Authorization: ${file:/nonexistent/token}: "},
		{"unterminated reference", head + "  - get: /x?u=${env:E2E_USER\n", "scenario login.yml line 4: step 1 get: unterminated reference"},
		{"duplicate key", head + "  - get: /\n    get: /x\n", `scenario login.yml line 5: `},
		{"tag", head + "  - get: !!str /\n", "scenario login.yml line 4: tag !!str: tags are not supported"},
		{"merge key", "base: &b {get: /}\n" + head + "  - <<: *b\n", "line 5: merge keys (<<) are not supported"},
		{"second document", "steps:\n  - get: https://h/\n---\nname: x\n", "scenario login.yml line 4: a second YAML document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.yml)
			if err == "" || !strings.HasPrefix(err, tc.want) && !strings.Contains(err, tc.want) {
				t.Errorf("loadScenario error:\n%s\nwant:\n%s", err, tc.want)
			}
			if strings.Contains(err, "\n") {
				t.Errorf("loadScenario error spans lines:\n%s", err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := loadScenario(context.Background(), filepath.Join(t.TempDir(), "nope.yml"), new(secret.Masker))
	if err == nil || !strings.Contains(err.Error(), "nope.yml") {
		t.Errorf("loadScenario of a missing file: %v, want an error naming it", err)
	}
}

func TestLoad(t *testing.T) {
	s, err := load(t, `name: shop
base_url: https://shop.example.com
steps:
  - get: /
  - method: propfind
    url: https://dav.example.com/x
    follow_redirects: false
    expect:
      status: [200, "3xx"]
      regex: '^<'
      max_time: 1.5
    extract:
      sid: {header: set-cookie}
      n: {jq: .count, secret: true}
  - delete: /cart/${n}
    severity: warning
`)
	if err != "" {
		t.Fatal(err)
	}
	if s.Name != "shop" || len(s.Steps) != 3 {
		t.Fatalf("scenario %+v", s)
	}
	st := s.Steps[0]
	if st.Name != "GET /" || st.Method != "GET" || st.NoFollow || st.Warning {
		t.Errorf("step 1: %+v", st)
	}
	st = s.Steps[1]
	if st.Method != "PROPFIND" || !st.NoFollow || st.Warning || st.Expect.Status.String() != "200,3xx" ||
		len(st.Expect.Patterns) != 1 || st.Expect.TimeCritical.Seconds() != 1.5 || len(st.Extract) != 2 ||
		st.Extract[0].Header != "Set-Cookie" || !st.Extract[1].Secret || st.Line != 5 {
		t.Errorf("step 2: %+v", st)
	}
	if s.Steps[2].Method != "DELETE" || !s.Steps[2].Warning {
		t.Errorf("step 3: %+v", s.Steps[2])
	}
}

// The default name is the file's.
func TestLoadDefaultName(t *testing.T) {
	s, err := load(t, "steps:\n  - get: https://h/\n")
	if err != "" || s.Name != "login" {
		t.Errorf("loadScenario = %+v, %s; want the name login", s, err)
	}
}

// Aliases of aliases would make a huge JSON body out of a few lines.
func TestLoadAliasBomb(t *testing.T) {
	yml := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f"} {
		yml += n + ": &" + n + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = n
	}
	_, err := load(t, yml+"steps:\n  - post: https://h/\n    json: *f\n")
	if !strings.Contains(err, "expands to more than") {
		t.Errorf("loadScenario = %q, want the alias bomb refused", err)
	}
}
