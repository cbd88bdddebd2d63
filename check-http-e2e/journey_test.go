package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// TestScenarioWiring runs a small journey through the flags that describe
// how servers are reached: the steps and their messages are the journey
// package's; this is the binary putting them together.
func TestScenarioWiring(t *testing.T) {
	base := serve(t)
	scenario := func(steps string) string {
		return testutil.WriteFile(t, "journey.yml", []byte("name: smoke\nbase_url: "+base+"\nsteps:\n"+steps))
	}
	ok := scenario(`  - name: page
    get: /redirect/1
    expect: {status: 200, contains: ["all good"]}
  - name: api
    get: /json
    expect: {jq: ['.queue.depth < 10']}
`)
	run(t, nil, "--scenario", ok).Expect(t, 0, "HTTP OK: smoke, 2 steps passed\n")
	run(t, nil, "--scenario", ok, "--http1.1", "-4", "-v").Expect(t, 0, "HTTP OK: smoke, 2 steps passed\n")

	failing := scenario(`  - name: page
    get: /ok
  - name: api
    get: /json
    expect: {jq: ['.queue.depth < 3']}
`)
	run(t, nil, "--scenario", failing).Expect(t, 2, `HTTP CRITICAL: smoke step 2/2 "api": `, ".queue.depth < 3")

	// Credentials in a URL a redirect leads to are masked as any other.
	userinfo := scenario(`  - name: hop
    get: /userinfo
    expect: {jq: ['.header.Authorization[0] | ltrimstr("Basic ") | @base64d == "x"']}
`)
	r := run(t, nil, "--scenario", userinfo, "-v")
	r.Expect(t, 2, `HTTP CRITICAL: smoke step 1/1 "hop": `, `:***"`)
	if _, pass, _ := strings.Cut(fixture.RedirectUserinfo, ":"); strings.Contains(r.Stdout, pass) {
		t.Errorf("output shows the password of the redirect:\n%s", r.Stdout)
	}

	// The session cookie the jar sends back is a credential too.
	cookie := scenario(`  - name: sign in
    get: /cookie
  - name: echo
    get: /echo
    expect: {jq: ['.header.Cookie[0] == "x"']}
`)
	r = run(t, nil, "--scenario", cookie, "-v")
	r.Expect(t, 2, `HTTP CRITICAL: smoke step 2/2 "echo": `, `got "session=***"`)
	if strings.Contains(r.Stdout, fixture.SessionCookie) {
		t.Errorf("output shows the session cookie:\n%s", r.Stdout)
	}

	// A header written in the file, and user info in a step's URL, are
	// credentials as they are on the command line.
	u, _ := url.Parse(base)
	literal := testutil.WriteFile(t, "literal.yml", []byte(`name: smoke
headers: {Authorization: "Bearer literal-token-123"}
steps:
  - name: bearer
    get: `+base+`/echo
    expect: {jq: ['.header.Authorization[0] == "x"']}
`))
	r = run(t, nil, "--scenario", literal, "-v")
	r.Expect(t, 2, `HTTP CRITICAL: smoke step 1/1 "bearer": `, `got "***"`)
	if strings.Contains(r.Stdout, "literal-token-123") {
		t.Errorf("output shows the token:\n%s", r.Stdout)
	}
	literal = testutil.WriteFile(t, "literal.yml", []byte(`name: smoke
steps:
  - name: userinfo
    get: http://bob:url-Pa55@`+u.Host+`/echo
    expect: {jq: ['.header.Authorization[0] == "x"']}
`))
	r = run(t, nil, "--scenario", literal, "-v")
	r.Expect(t, 2, `HTTP CRITICAL: smoke step 1/1 "userinfo": `, `got "Basic ***"`)

	// The journey's requests obey the check's deadline.
	slow := scenario("  - name: wait\n    get: /slow?d=1m\n")
	r = run(t, nil, "--scenario", slow, "-t", "1")
	r.ExpectMatch(t, 2, `^HTTP CRITICAL: (?:smoke step 1/1 "wait": .*)?`+testutil.PhaseEnded("ttfb", u.Host))
	r.ExpectEndedBy(t, time.Second)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--scenario", scenario("  - name: x\n    get: /ok\n    retries: 3\n")}, `line 6: unknown key "retries"`},
		{[]string{"--scenario", ok, "--jq", ".a"}, "--jq applies to one request (-u), not to --scenario"},
		{[]string{"--scenario", "/nonexistent/journey.yml"}, "scenario /nonexistent/journey.yml: "},
	} {
		r := run(t, nil, tc.args...)
		r.Expect(t, 3, "HTTP UNKNOWN: ", tc.want)
		if strings.Count(r.Stdout, "\n") != 1 {
			t.Errorf("not one line:\n%s", r.Stdout)
		}
	}
}
