package httpcheck

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

const (
	testUser     = "mon-user-7f3a"
	testPassword = "pw-Hunter2-91c"
)

// run loads the scenario text and runs it with a net/http client.
func run(t *testing.T, yml string, verbose bool) (*check.Report, *netClient) {
	t.Helper()
	t.Setenv("E2E_USER", testUser)
	t.Setenv("E2E_PASSWORD", testPassword)
	path := testutil.WriteFile(t, "login.yml", []byte(yml))
	masker := new(secret.Masker)
	s, err := loadScenario(context.Background(), path, masker)
	if err != nil {
		t.Fatalf("loadScenario: %v", err)
	}
	var c *netClient
	r := s.runWith(context.Background(), func(_ context.Context, jar http.CookieJar) (client, error) {
		c = &netClient{jar: jar}
		return c, nil
	}, runOptions{Masker: masker, Verbose: verbose})
	return r, c
}

// readmeExample is the scenario of check-http-e2e's README's reference,
// pointed at appURL: the example users copy must work.
func readmeExample(t *testing.T, appURL string) string {
	t.Helper()
	const heading = "## Scenario file reference"
	path := filepath.Join("..", "..", "..", "check-http-e2e", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no %q", path, heading)
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	if !ok {
		t.Fatalf("%s: no yaml block under %q", path, heading)
	}
	block, _, _ = strings.Cut(block, "```")
	return strings.ReplaceAll(block, "https://app.example.com", appURL)
}

// The demo and the benchmark run fixture.LoginJourney: it must be
// check-http-e2e's README's example, word for word.
func TestFixtureJourneyIsTheREADMEs(t *testing.T) {
	if got, want := fixture.LoginJourney("https://login.test"), readmeExample(t, "https://login.test"); got != want {
		t.Errorf("fixture.LoginJourney differs from the README's example:\n%s\nREADME:\n%s", got, want)
	}
}

func TestLoginJourney(t *testing.T) {
	app := &fixture.LoginApp{User: testUser, Password: testPassword, Name: "monitor"}
	r, c := run(t, readmeExample(t, testutil.ServeLoginApp(t, app)), false)
	if got, want := r.Message(), "HTTP OK: login, 4 steps passed"; got != want || r.Status() != check.OK {
		t.Fatalf("message %q (%v), want %q", got, r.Status(), want)
	}
	if n := app.Sessions(); n != 0 {
		t.Errorf("%d sessions left open: the journey did not sign out", n)
	}
	if len(c.sent) != 4 {
		t.Fatalf("%d requests sent, want 4", len(c.sent))
	}
	signIn := c.sent[1]
	if ct := signIn.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("sign-in Content-Type %q", ct)
	}
	if !strings.HasPrefix(string(c.body[1]), "user="+testUser+"&password="+testPassword+"&csrf=") {
		t.Errorf("sign-in body %q: want the form fields in the order written", c.body[1])
	}
	if ua := signIn.Header.Get("User-Agent"); ua != "mackerel-frontline" {
		t.Errorf("User-Agent %q: the scenario's headers apply to every step", ua)
	}
}

func TestLoginJourneyVerbose(t *testing.T) {
	app := &fixture.LoginApp{User: testUser, Password: testPassword, Name: "monitor"}
	url := testutil.ServeLoginApp(t, app)
	r, _ := run(t, readmeExample(t, url), true)
	msg := r.Message()
	lines := strings.Split(msg, "\n")
	if lines[0] != "HTTP OK: login, 4 steps passed" || len(lines) != 5 {
		t.Fatalf("verbose message:\n%s\nwant the same verdict and one line per step", msg)
	}
	if !strings.HasPrefix(lines[2], `OK: step 2/4 "sign in": POST `+url+"/login 302, HTTP/1.1, dns ") {
		t.Errorf("line %q: want the step, what came back and its timings", lines[2])
	}
	assertNoSecrets(t, msg)
}

// Each step in turn fails, and the message names it, with what was
// expected and what came back.
func TestLoginJourneyFails(t *testing.T) {
	for _, tc := range []struct {
		brk, want string
	}{
		{"form", `HTTP CRITICAL: login step 1/4 "login form": status 503 Service Unavailable, expected 200; page says "maintenance" (GET URL/login 503, total `},
		{"csrf", `HTTP CRITICAL: login step 1/4 "login form": body does not contain "name=\"csrf\"" (body 145 bytes: "<!doctype html> <title>Sign in</title> <form method=\"post\" …") (GET URL/login 200, total `},
		{"login", `HTTP CRITICAL: login step 2/4 "sign in": status 403 Forbidden, expected 302; page says "sign-in is disabled" (POST URL/login 403, total `},
		{"api", `HTTP CRITICAL: login step 3/4 "profile api": jq '.name == "monitor"' got "guest" (GET URL/api/me 200, total `},
		{"logout", `HTTP CRITICAL: login step 4/4 "sign out": status 500 Internal Server Error, expected 200, 302; page says "internal error" (POST URL/logout 500, total `},
	} {
		t.Run(tc.brk, func(t *testing.T) {
			app := &fixture.LoginApp{User: testUser, Password: testPassword, Name: "monitor", Break: tc.brk}
			url := testutil.ServeLoginApp(t, app)
			r, c := run(t, readmeExample(t, url), false)
			msg := r.Message()
			want := strings.ReplaceAll(tc.want, "URL", url)
			if r.Status() != check.CRITICAL || !strings.HasPrefix(msg, want) {
				t.Errorf("message (%v):\n%s\nwant it to start\n%s", r.Status(), msg, want)
			}
			if step := strings.Index(want, "step ") + len("step "); len(c.sent) != int(want[step]-'0') {
				t.Errorf("%d requests sent: the journey goes no further than the failing step", len(c.sent))
			}
			assertNoSecrets(t, msg)
		})
	}
}

// assertNoSecrets fails when the password, the user from the environment
// or the session cookie's value appears in msg.
func assertNoSecrets(t *testing.T, msg string) {
	t.Helper()
	for _, s := range []string{testPassword, testUser} {
		if strings.Contains(msg, s) {
			t.Errorf("message shows the secret %q:\n%s", s, msg)
		}
	}
}
