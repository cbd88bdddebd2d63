package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// A password with every character servers escape, and a long token whose
// first 24 bytes gojq quotes in its errors.
const (
	hostilePassword = "s3\"cret-pw\t&<>'\\x"
	longToken       = "LongSecretValue_ABCDEFGHIJKLMNOP"
)

var hostileEnv = []string{"E2E_PASSWORD=" + hostilePassword, "E2E_TOKEN=" + longToken}

// TestSecretsEchoed: a server sends the secrets it was given back in
// every form it may quote them in, and no output, -v included, shows
// secret.Run bytes of any form of them.
func TestSecretsEchoed(t *testing.T) {
	echo := testutil.ServeHTTP(t, fixture.Echo(), false)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"jq value re-encoded", []string{"-u", echo + "/json", "-d", "${env:E2E_PASSWORD}", "--jq", `.echo == "x"`}},
		{"jq left side an object", []string{"-u", echo + "/json", "-d", "${env:E2E_PASSWORD}", "--jq", `{e: .echo} == {}`}},
		{"jq error quoting a value", []string{"-u", echo + "/json", "-d", "${env:E2E_TOKEN}", "--jq", `.echo | split("\n") | .[0] | tonumber > 1`}},
		{"JSON unicode escapes", []string{"-u", echo + "/unicode", "-H", "X-Token: ${env:E2E_PASSWORD}", "--contains", "nowhere"}},
		{"HTML numeric entities", []string{"-u", echo + "/html", "-d", "${env:E2E_PASSWORD}", "--contains", "nowhere"}},
		{"HTML named entities", []string{"-u", echo + "/html-named", "-d", "${env:E2E_PASSWORD}", "--contains", "nowhere"}},
		{"URL-escaped", []string{"-u", echo + "/url", "-d", "${env:E2E_PASSWORD}", "--contains", "nowhere"}},
		{"basic auth", []string{"-u", echo + "/html", "--user", "monitor:${env:E2E_PASSWORD}", "-p", "^nowhere"}},
		{"inverted pattern quoting it", []string{"-u", echo + "/html", "-d", "${env:E2E_TOKEN}", "--invert-pattern", "Long.*"}},
	} {
		for _, verbose := range []bool{false, true} {
			args := tc.args
			name := tc.name
			if verbose {
				args = append(args, "-v")
				name += ", -v"
			}
			t.Run(name, func(t *testing.T) {
				r := run(t, hostileEnv, args...)
				r.Expect(t, 2, "HTTP CRITICAL: ", "***")
				r.ExpectNoSecret(t, hostilePassword, longToken)
			})
		}
	}
}

// TestSecretQueryEchoed: a secret-looking query parameter given literally
// is hidden in the URL and where the body echoes it.
func TestSecretQueryEchoed(t *testing.T) {
	echo := testutil.ServeHTTP(t, fixture.Echo(), false)
	const key = "Literal-Api-Key-4242"
	r := run(t, nil, "-u", echo+"/json?apikey="+key+"&page=2", "--jq", `.echo == "x"`, "-v")
	r.Expect(t, 2, "HTTP CRITICAL: ", "apikey=***&page=2")
	r.ExpectNoSecret(t, key)
}

// TestProxySecretsEchoed: a proxy that echoes what it was sent shows the
// password of --proxy or HTTP_PROXY nowhere.
func TestProxySecretsEchoed(t *testing.T) {
	proxy, _ := url.Parse(testutil.ServeHTTP(t, fixture.Echo(), false))
	proxy.User = url.UserPassword("monitor", hostilePassword)
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"--proxy", nil, []string{"--proxy", proxy.String()}},
		{"HTTP_PROXY", []string{"HTTP_PROXY=" + proxy.String(), "NO_PROXY="}, nil},
		{"http_proxy", []string{"http_proxy=" + proxy.String(), "HTTP_PROXY=", "NO_PROXY=", "no_proxy="}, nil},
	} {
		for _, form := range []string{"/json", "/html", "/unicode"} {
			t.Run(tc.name+form, func(t *testing.T) {
				r := run(t, tc.env, append([]string{"-u", "http://app.example" + form, "--contains", "nowhere", "-v"}, tc.args...)...)
				r.Expect(t, 2, "HTTP CRITICAL: ", "body does not contain")
				r.ExpectNoSecret(t, hostilePassword)
			})
		}
	}
}

// TestUnsolicitedBytesMasked: bytes a server sends on a connection after
// a complete response reach stderr through net/http's log; they are
// masked, escaped and cut like any other text from a server.
func TestUnsolicitedBytesMasked(t *testing.T) {
	next := serve(t) + "/slow?d=1s"
	hostile := testutil.ServeUnsolicited(t, next)
	r := run(t, hostileEnv, "-u", hostile+"/", "-H", "Authorization: Bearer ${env:E2E_TOKEN}", "-H", "X-Password: ${env:E2E_PASSWORD}")
	r.Expect(t, 0, "HTTP OK: ")
	r.ExpectNoSecret(t, hostilePassword, longToken)
	if want := "Unsolicited response"; !strings.Contains(r.Stderr, want) {
		t.Errorf("stderr does not show the log line %q: %q", want, r.Stderr)
	}
	if strings.Count(r.Stderr, "\n") != 1 || len(r.Stderr) > 400 {
		t.Errorf("the server's bytes are not one short line on stderr: %q", r.Stderr)
	}
}

// TestJourneySecretsEchoed: a journey's secret: true values and its
// cookies, echoed in escaped forms, show nowhere, -v included.
func TestJourneySecretsEchoed(t *testing.T) {
	echo := testutil.ServeHTTP(t, fixture.Echo(), false)
	for _, form := range []string{"/json", "/html", "/html-named", "/unicode"} {
		t.Run(form, func(t *testing.T) {
			scenario := testutil.WriteFile(t, "journey.yml", []byte(`name: echo
base_url: `+echo+`
steps:
  - name: sign in
    post: /login
    extract: {token: {jq: .token, secret: true}}
  - name: call
    get: `+form+`?access_token=Literal-Api-Key-4242
    headers: {X-Token: "${token}", X-Password: "${env:E2E_PASSWORD}"}
    expect: {contains: [nowhere]}
`))
			for _, v := range [][]string{nil, {"-v"}} {
				r := run(t, hostileEnv, append([]string{"--scenario", scenario}, v...)...)
				r.Expect(t, 2, `HTTP CRITICAL: echo step 2/2 "call": `)
				r.ExpectNoSecret(t, fixture.SessionToken, fixture.SessionCookieValue, hostilePassword, "Literal-Api-Key-4242")
			}
		})
	}
}
