package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

const tokenValue = "tok-5ecret-77"

// serveMisc answers the paths these tests walk through.
func serveMisc(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "cookie-c0ffee-88"})
		w.Header().Set("X-Request-Id", "req-1")
		fmt.Fprintf(w, `{"token":%q,"n":7,"obj":{"a":[1,2]},"none":null}`, tokenValue)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s host=%s ct=%s x=%s\n%s", r.Method, r.URL.RequestURI(), r.Host, r.Header.Get("Content-Type"), r.Header.Get("X-Thing"), body)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "new") })
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestSteps(t *testing.T) {
	base := serveMisc(t)
	t.Setenv("E2E_THING", "thing-from-env")
	for _, tc := range []struct {
		name   string
		steps  string
		status check.Status
		want   []string // lines of the message, "URL" standing for the server
	}{
		{"json body, headers and Host", `
  - get: /token
    extract: {tok: {jq: .token, secret: true}, n: {jq: .n}, obj: {jq: .obj}}
  - post: /echo
    headers: {Host: virtual.example, X-Thing: "${env:E2E_THING}"}
    json: {token: "${tok}", n: "${n}", obj: "${obj}", list: [1, true, null, 2.5], lit: "$${x}"}
    expect:
      contains: ['POST /echo host=virtual.example ct=application/json x=thing-from-env', '{"token":"tok-5ecret-77","n":"7","obj":"{\"a\":[1,2]}","list":[1,true,null,2.5],"lit":"${x}"}']
`, check.OK, []string{"HTTP OK: misc, 2 steps passed"}},
		{"raw body keeps its content type", `
  - put: /echo
    headers: {Content-Type: text/plain}
    body: "hello ${env:E2E_THING}"
    expect: {contains: ["PUT /echo host=", "ct=text/plain", "hello thing-from-env"]}
`, check.OK, []string{"HTTP OK: misc, 1 step passed"}},
		{"a secret extraction is masked in the URL", `
  - get: /token
    extract: {tok: {jq: .token, secret: true}}
  - get: /down?t=${tok}
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 2/2 "GET /down?t=${tok}": status 503 Service Unavailable, expected 200-399; page says "down" (GET URL/down?t=*** 503, total `,
			"OK: 1 more step"}},
		{"a cookie taken from Set-Cookie is a secret", `
  - get: /token
    extract: {sid: {header: Set-Cookie}, rid: {header: x-request-id}}
  - get: /echo/${sid}/${rid}
    expect: {status: 200}
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 2/2 "GET /echo/${sid}/${rid}": status 404 Not Found, expected 200; page says "404 page not found" (GET URL/echo/***/req-1 404, total `,
			"OK: 1 more step"}},
		{"redirects are named", `
  - name: moved
    get: /old
    expect: {contains: old}
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 1/1 "moved": body does not contain "old" (body 3 bytes: "new") (GET URL/old -> URL/new 200, total `}},
		{"user info is never shown", `
  - get: http://monitor:pw-in-url@127.0.0.1:1/x
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 1/1 "GET http://***@127.0.0.1:1/x": Get "http://***@127.0.0.1:1/x": dial tcp 127.0.0.1:1: connect: connection refused (GET http://***@127.0.0.1:1/x)`}},
		{"no follow judges the redirect", `
  - get: /old
    follow_redirects: false
    expect: {status: 301, header: {location: ^/new$}}
`, check.OK, []string{"HTTP OK: misc, 1 step passed"}},
		{"extraction failures", `
  - name: regex
    get: /token
    extract: {x: {regex: 'nothing(here)'}, tok: {jq: .token, secret: true}}
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 1/1 "regex": extract x: regex "nothing(here)" did not match (body 61 bytes: "{\"token\":\"***\",\"n\":7,\"obj\":{\"a\":[1,2]},\"none\":nul…") (GET URL/token 200, total `}},
		{"a secret is masked in what a failed expectation quotes", `
  - name: token
    get: /token
    expect: {contains: nothing}
    extract: {tok: {jq: .token, secret: true}}
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 1/1 "token": body does not contain "nothing" (body 61 bytes: "{\"token\":\"***\",`}},
		{"jq null", `
  - name: jq
    get: /token
    extract: {x: {jq: .none}}
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 1/1 "jq": extract x: jq '.none' got null (GET URL/token 200, total `}},
		{"jq over HTML", `
  - name: jq
    get: /new
    extract: {x: {jq: .a}}
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 1/1 "jq": extract x: jq '.a': body is not JSON (invalid character 'e' in literal null (expecting 'u')) (body 3 bytes: "new") (GET URL/new 200, total `}},
		{"header missing", `
  - name: h
    get: /new
    extract: {x: {header: X-Nope}}
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 1/1 "h": extract x: header X-Nope missing (GET URL/new 200, total `}},
		{"a warning step fails and the journey goes on", `
  - name: widget
    get: /down
    severity: warning
  - get: /new
`, check.WARNING, []string{
			`HTTP WARNING: misc step 1/2 "widget": status 503 Service Unavailable, expected 200-399; page says "down" (GET URL/down 503, total `,
			"OK: 1 more step"}},
		{"a critical failure after a warning", `
  - name: widget
    get: /down
    severity: warning
  - name: api
    get: /down
  - get: /new
`, check.CRITICAL, []string{
			`HTTP CRITICAL: misc step 2/3 "api": status 503 Service Unavailable, expected 200-399; page says "down" (GET URL/down 503, total `,
			`HTTP WARNING: misc step 1/3 "widget": status 503 Service Unavailable, expected 200-399; page says "down" (GET URL/down 503, total `}},
		{"a mapped status and max_time", `
  - get: /down
    expect: {status: "200,503=warning"}
`, check.WARNING, []string{
			`HTTP WARNING: misc step 1/1 "GET /down": status 503 Service Unavailable (503=warning); page says "down" (GET URL/down 503, total `}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := run(t, "name: misc\nbase_url: "+base+"\nsteps:"+tc.steps, false)
			lines := strings.Split(r.Message(), "\n")
			if r.Status() != tc.status || len(lines) != len(tc.want) {
				t.Fatalf("message (%v):\n%s\nwant (%v):\n%s", r.Status(), r.Message(), tc.status, strings.Join(tc.want, "\n"))
			}
			for i, want := range tc.want {
				if want = strings.ReplaceAll(want, "URL", base); !strings.HasPrefix(lines[i], want) {
					t.Errorf("line %d:\n%s\nwant it to start:\n%s", i+1, lines[i], want)
				}
			}
			for _, s := range []string{tokenValue, "cookie-c0ffee-88", "thing-from-env", "pw-in-url"} {
				if strings.Contains(r.Message(), s) {
					t.Errorf("message shows the secret %q:\n%s", s, r.Message())
				}
			}
		})
	}
}

// The scenario's timeout bounds the run and reaches the client as its
// dial deadline; a request that fails outright names the step.
func TestTimeout(t *testing.T) {
	stall := testutil.ServeStall(t)
	path := testutil.WriteFile(t, "slow.yml", []byte("timeout: 0.2\nsteps:\n  - name: hang\n    get: http://"+stall+"/\n"))
	masker := new(secret.Masker)
	s, err := loadScenario(context.Background(), path, masker)
	if err != nil {
		t.Fatal(err)
	}
	outer, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var got time.Time
	r := s.runWith(outer, func(ctx context.Context, jar http.CookieJar) (client, error) {
		got, _ = ctx.Deadline()
		return &netClient{jar: jar}, nil
	}, runOptions{Masker: masker})
	if want := `HTTP CRITICAL: slow step 1/1 "hang": Get "http://` + stall + `/": context deadline exceeded (GET http://` + stall + `/)`; r.Message() != want {
		t.Errorf("message:\n%s\nwant:\n%s", r.Message(), want)
	}
	if d := time.Until(got); got.IsZero() || d > time.Second {
		t.Errorf("dial deadline %v: want the scenario's timeout, not the run's minute", got)
	}
}

func TestNewClientFails(t *testing.T) {
	path := testutil.WriteFile(t, "x.yml", []byte("steps:\n  - get: http://127.0.0.1:1/\n"))
	s, err := loadScenario(context.Background(), path, nil)
	if err == nil {
		r := s.runWith(context.Background(), func(context.Context, http.CookieJar) (client, error) {
			return nil, errors.New("--ca-file: no certificate in ca.pem")
		}, runOptions{})
		if got, want := r.Message(), "HTTP UNKNOWN: x: --ca-file: no certificate in ca.pem"; got != want {
			t.Errorf("message %q, want %q", got, want)
		}
	} else {
		t.Fatal(err)
	}
}
