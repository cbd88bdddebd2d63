package main

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// The account the login app accepts in these tests.
const (
	loginUser     = "e2e-probe"
	loginPassword = "pw-Login-42"
)

var loginEnv = []string{"E2E_USER=" + loginUser, "E2E_PASSWORD=" + loginPassword}

// loginJourney writes the README's journey against a login app that, as
// Django does, rotates its CSRF token into the csrftoken cookie at sign-in
// and wants it back to sign out; the app's Break and Password as given.
func loginJourney(t *testing.T, app *fixture.LoginApp) string {
	t.Helper()
	app.User, app.Name = loginUser, "monitor"
	if app.Password == "" {
		app.Password = loginPassword
	}
	return testutil.WriteFile(t, "login.yml", []byte(fixture.LoginJourney(testutil.ServeLoginApp(t, app))))
}

// TestJourneyCookieExtraction: a value that comes back only in a cookie is
// extracted from the jar by name, and a regex refines any source.
func TestJourneyCookieExtraction(t *testing.T) {
	app := &fixture.LoginApp{}
	run(t, loginEnv, "--scenario", loginJourney(t, app)).Expect(t, 0, "HTTP OK: login, 4 steps passed\n")
	if n := app.Sessions(); n != 0 {
		t.Errorf("%d sessions left open: signing out with the rotated token failed", n)
	}

	base := serve(t)
	scenario := testutil.WriteFile(t, "refine.yml", []byte("name: refine\nbase_url: "+base+`
steps:
  - name: sign in
    get: /cookie
    extract:
      sid: {cookie: session}
      tail: {cookie: session, regex: '-(\w+)$'}
  - name: page
    get: /ok
    extract: {app: {header: X-App, regex: '^d(.)'}, app2: {header: X-App, regex: '(em)'}, word: {regex: 'all (\w+)'}}
  - name: echo
    get: /echo
    headers: {X-Sid: "${sid}", X-Tail: "${tail}", X-App: "${app}${app2}", X-Word: "${word}"}
    expect:
      jq: ['.header["X-Sid"][0] == .header.Cookie[0][8:]', '.header["X-Tail"][0] == "8f3a9c2e71d4"', '.header["X-App"][0] == "eem"', '.header["X-Word"][0] == "good"']
`))
	r := run(t, nil, "--scenario", scenario, "-v")
	r.Expect(t, 0, "HTTP OK: refine, 3 steps passed\n")
	if strings.Contains(r.Stdout, fixture.SessionCookie) || strings.Contains(r.Stdout, "8f3a9c2e71d4") {
		t.Errorf("a value from a cookie is printed:\n%s", r.Stdout)
	}

	missing := testutil.WriteFile(t, "missing.yml", []byte("name: m\nbase_url: "+base+`
steps:
  - name: sign in
    get: /cookie
    extract: {tok: {cookie: csrftoken}}
  - get: /ok
`))
	run(t, nil, "--scenario", missing).Expect(t, 2, `HTTP CRITICAL: m step 1/2 "sign in": extract tok: no cookie csrftoken in the jar for `+base+"/cookie (it has: session)")
	twice := testutil.WriteFile(t, "twice.yml", []byte("name: m\nbase_url: "+base+"\nsteps:\n  - get: /cookie\n    extract: {tok: {cookie: session, jq: .x}}\n"))
	run(t, nil, "--scenario", twice).Expect(t, 3, "HTTP UNKNOWN: scenario "+twice+" line 5: step 1 extract tok has cookie: and jq: extract from one of them")
}

// TestJourneyCertThresholds: a journey watches its certificate with
// cert_warning/cert_critical, at the top level or in a step, and the flags
// of one request say so.
func TestJourneyCertThresholds(t *testing.T) {
	pki := testutil.NewPKI(t)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
	base := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 20.5), pki.Intermediate}, false)
	plain := serve(t)
	scenario := func(top, step string) string {
		return testutil.WriteFile(t, "cert.yml", []byte("name: certs\nbase_url: "+base+"\n"+top+"steps:\n  - name: page\n    get: /ok\n"+step+"  - name: api\n    get: /json\n"))
	}
	for _, tc := range []struct {
		name, top, step string
		code            int
		want            []string
	}{
		{"top level, warning", "cert_warning: 30\n", "", 1, []string{`HTTP WARNING: certs step 1/2 "page": certificate: leaf CN=localhost`, "expires in 20 days", "warning below 30 days (GET " + base + "/ok 200, total ", ")\nOK: 1 more step\n"}},
		{"top level, critical", "cert_warning: 30\ncert_critical: 25\n", "", 2, []string{`HTTP CRITICAL: certs step 1/2 "page": certificate: leaf CN=localhost`, "critical below 25 days", "; step 2 not run"}},
		{"top level, far enough", "cert_warning: 10\ncert_critical: \"5%\"\n", "", 0, []string{"HTTP OK: certs, 2 steps passed\n"}},
		{"a step's own replace the top level's", "cert_critical: 25\n", "    cert_critical: 7\n", 2, []string{`HTTP CRITICAL: certs step 2/2 "api": certificate: `, "critical below 25 days"}},
		// A step whose failure is only a warning does not settle the
		// certificate for the required steps that come over it too.
		{"a warning step first", "cert_critical: 25\n", "    severity: warning\n", 2, []string{`HTTP CRITICAL: certs step 2/2 "api": certificate: leaf CN=localhost`, "critical below 25 days", "\nHTTP WARNING: certs step 1/2 \"page\": certificate: leaf CN=localhost"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, nil, "--scenario", scenario(tc.top, tc.step), "--ca-file", caFile).Expect(t, tc.code, tc.want...)
		})
	}
	// Not verified: the days still ride along, as for one request.
	run(t, nil, "--scenario", scenario("cert_critical: 25\n", "")).Expect(t, 2, `HTTP CRITICAL: certs step 1/2 "page": tls `, "; not verified: leaf CN=localhost", "critical below 25 days")

	// A journey told to watch certificates that meets none watched nothing.
	overHTTP := testutil.WriteFile(t, "plain.yml", []byte("name: plain\nbase_url: "+plain+"\ncert_warning: 30\nsteps:\n  - get: /ok\n"))
	run(t, nil, "--scenario", overHTTP).Expect(t, 3, "HTTP UNKNOWN: plain: cert_warning/cert_critical: no step came over TLS")
	for _, tc := range []struct {
		yml, want string
	}{
		{"name: x\nsteps:\n  - get: " + plain + "/ok\n    cert_warning: 30\n", "line 4: step 1: cert_warning and cert_critical judge a certificate, and " + plain + "/ok is plain http://"},
		{"name: x\ncert_warning: 7\ncert_critical: 30\nsteps:\n  - get: " + base + "/ok\n", "line 2: the scenario: cert_critical 30 days leaves more time than cert_warning 7 days"},
		{"name: x\ncert_warning: 2m\nsteps:\n  - get: " + base + "/ok\n", `line 2: cert_warning: "2m" is ambiguous`},
	} {
		path := testutil.WriteFile(t, "bad.yml", []byte(tc.yml))
		run(t, nil, "--scenario", path).Expect(t, 3, "HTTP UNKNOWN: scenario "+path+" "+tc.want)
	}
}

// TestScenarioRefusesOneRequestFlags: every flag of one request refused
// with --scenario names what to write in the file instead, and what it
// names works.
func TestScenarioRefusesOneRequestFlags(t *testing.T) {
	base := serve(t)
	ok := testutil.WriteFile(t, "ok.yml", []byte("name: x\nbase_url: "+base+"\nsteps:\n  - get: /ok\n"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cert-warning", "21"}, "--cert-warning applies to one request (-u), not to --scenario: write cert_warning: at the top level (every step over TLS) or in a step"},
		{[]string{"--cert-critical", "7"}, "write cert_critical: at the top level"},
		{[]string{"--user", "a:b"}, "--user applies to one request (-u), not to --scenario: write the user and password in base_url, https://USER:${env:PASSWORD}@host"},
		{[]string{"-w", "1"}, "write max_time: under a step's expect:, with severity: warning on the step"},
		{[]string{"--no-follow"}, "write follow_redirects: false in a step"},
	} {
		r := run(t, nil, append([]string{"--scenario", ok}, tc.args...)...)
		r.Expect(t, 3, "HTTP UNKNOWN: ", tc.want)
	}
	// The hint for --user is true: the password in base_url signs in.
	u, _ := url.Parse(base)
	auth := testutil.WriteFile(t, "auth.yml", []byte("name: auth\nbase_url: http://monitor:${env:APP_PASSWORD}@"+u.Host+"\nsteps:\n  - get: /auth\n    expect: {contains: welcome}\n"))
	r := run(t, []string{"APP_PASSWORD=" + password}, "--scenario", auth, "-v")
	r.Expect(t, 0, "HTTP OK: auth, 1 step passed\n")
	if strings.Contains(r.Stdout, password) {
		t.Errorf("output shows the password:\n%s", r.Stdout)
	}
}

// TestREADMESaysWhichFlagsApplyToAJourney: the flags check-http-e2e's
// README says still apply with --scenario are taken, and those it says are
// refused are.
func TestREADMESaysWhichFlagsApplyToAJourney(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "**Command-line flags with `--scenario`**")
	if !ok {
		t.Fatal("README.md has no paragraph on the flags that apply with --scenario")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	applies, table, _ := strings.Cut(section, "| flag |")
	applies, _, _ = strings.Cut(applies, "The flags that describe")
	flag := regexp.MustCompile("`(--?[a-z0-9.-]+)[`/]")
	values := map[string]string{"-t": "5s", "--timeout": "5s", "--drill-file": "/nonexistent/drill", "--drill-max-age": "1h",
		"--connect-to": "a:1:b:2", "--resolve": "a:1:127.0.0.1", "--proxy": "http://127.0.0.1:1", "--source-ip": "127.0.0.1",
		"--ca-file": "CA", "--cert-file": "CERT", "--key-file": "KEY", "--max-body": "1024", "--max-redirects": "3"}
	pki := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, pki, 30)
	files := map[string]string{"CA": testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root)), "CERT": testutil.WriteFile(t, "c.pem", fixture.PEM(leaf)), "KEY": testutil.WriteFile(t, "k.pem", leaf.KeyPEM())}
	base := serve(t)
	journey := testutil.WriteFile(t, "ok.yml", []byte("name: x\nbase_url: "+base+"\nsteps:\n  - get: /ok\n"))
	seen := 0
	for _, m := range flag.FindAllStringSubmatch(applies, -1) {
		f := m[1]
		if f == "--scenario" {
			continue
		}
		args := []string{"--scenario", journey, f}
		if v, ok := values[f]; ok {
			if files[v] != "" {
				v = files[v]
			}
			args = append(args, v)
		}
		if f == "--cert-file" || f == "--key-file" {
			args = []string{"--scenario", journey, "--cert-file", files["CERT"], "--key-file", files["KEY"]}
		}
		seen++
		if r := run(t, nil, args...); r.Code == 3 {
			t.Errorf("the README says %s applies with --scenario, but:\n%s", f, r.Stdout)
		}
	}
	if seen < 10 {
		t.Errorf("found %d flags said to apply with --scenario", seen)
	}
	refused := 0
	for _, m := range flag.FindAllStringSubmatch(table, -1) {
		args := []string{"--scenario", journey, m[1], "1"}
		if m[1] == "--no-follow" {
			args = args[:3]
		}
		refused++
		run(t, nil, args...).Expect(t, 3, "HTTP UNKNOWN: "+m[1]+" applies to one request (-u), not to --scenario: write ")
	}
	if refused < 10 {
		t.Errorf("found %d flags said to be refused with --scenario", refused)
	}
}

// TestJourneyFailureSaysWhy: a failed step says why in one line per cause,
// with what the page says went wrong, and names the steps that did not
// run.
func TestJourneyFailureSaysWhy(t *testing.T) {
	// A wrong password: the form again, 200, with Django's error note.
	path := loginJourney(t, &fixture.LoginApp{Password: "another-Pa55"})
	r := run(t, loginEnv, "--scenario", path)
	first := r.Expect(t, 2, "\nOK: 1 more step\n")
	want := `HTTP CRITICAL: login step 2/4 "sign in": status 200 OK, expected 302; page says "Please enter the correct user name and password. Note that both fields may be case-sensitive." (POST `
	if !strings.HasPrefix(first, want) || !strings.HasSuffix(first, "; steps 3-4 not run") {
		t.Errorf("first line:\n%s\nwant it to start\n%s\nand end with the steps not run", first, want)
	}
	if n := strings.Count(r.Stdout, "HTTP CRITICAL"); n != 1 {
		t.Errorf("%d CRITICAL lines for one cause:\n%s", n, r.Stdout)
	}
	if strings.Contains(r.Stdout, loginPassword) || strings.Contains(r.Stdout, loginUser) {
		t.Errorf("output shows the credentials:\n%s", r.Stdout)
	}

	// Signing out without the token the sign-in rotated into a cookie:
	// Django's 403 page says why.
	base := testutil.ServeLoginApp(t, &fixture.LoginApp{User: loginUser, Password: loginPassword, Name: "monitor"})
	stale := testutil.WriteFile(t, "stale.yml", []byte(strings.Replace(fixture.LoginJourney(base), "    extract: {csrf: {cookie: csrftoken}}\n", "", 1)))
	run(t, loginEnv, "--scenario", stale).Expect(t, 2, `HTTP CRITICAL: login step 4/4 "sign out": status 403 Forbidden, expected 200, 302; page says "Forbidden (403) CSRF verification failed. Request aborted." (POST `)

	// Text that should not be there is quoted from around where it is,
	// not from the top of the page; text that is missing, with the
	// page's error note.
	journey := testutil.WriteFile(t, "form.yml", []byte("name: form\nbase_url: "+base+`
steps:
  - name: form
    get: /login
    expect: {not_contains: 'type="password"'}
  - name: home
    get: /home
  - name: api
    get: /api/me
`))
	first = run(t, nil, "--scenario", journey).Expect(t, 2)
	want = `HTTP CRITICAL: form step 1/3 "form": body contains "type=\"password\"", expected not to (body `
	if !strings.HasPrefix(first, want) || !strings.Contains(first, `bytes, around it: "…put name=\"user\"> <input name=\"password\" type=\"password\"> </form>")`) || !strings.HasSuffix(first, "; steps 2-3 not run") {
		t.Errorf("first line:\n%s\nwant it to start\n%s\nand quote the text around the match", first, want)
	}
	wrong := testutil.WriteFile(t, "wrong.yml", []byte(strings.Replace(strings.Replace(fixture.LoginJourney(base), `expect: {status: 302, header: {Location: "^/home"}}`, `expect: {status: "200,302", contains: Welcome}`, 1), "E2E_PASSWORD", "E2E_OTHER", 1)))
	run(t, append(loginEnv, "E2E_OTHER=nope-Pa55"), "--scenario", wrong).Expect(t, 2, `HTTP CRITICAL: login step 2/4 "sign in": body does not contain "Welcome" (body `, `bytes, page says "Please enter the correct user name and password.`)
}
