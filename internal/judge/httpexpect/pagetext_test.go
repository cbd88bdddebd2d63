package httpexpect

import (
	"net/http"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

func TestPageText(t *testing.T) {
	for _, tc := range []struct {
		name, ct string
		code     int
		body     string
		want     string
	}{
		{"Django's error note", "text/html", 200, `<html><head><title>Log in</title></head><body class="login"><p class="errornote">
    Please enter the correct username and password.
</p><form><input class="error"></form></body></html>`, "Please enter the correct username and password."},
		{"an error list, entities decoded", "text/html", 200, `<ul class="errorlist nonfield"><li>That&#x27;s not it</li></ul>`, "That's not it"},
		{"role alert", "text/html", 200, `<div role="alert"><strong>Locked</strong> out</div>`, "Locked out"},
		{"a hidden template is not the error", "text/html", 200, `<div class="alert alert-danger" style="display:none">Oops</div><div class="alert">Session expired</div>`, "Session expired"},
		{"a page that worked says nothing", "text/html", 200, `<title>Home</title><p>Welcome back</p>`, ""},
		{"an error page's visible text", "text/html", 403, "<title>403</title><script>var x = 1</script><h1>Forbidden <span>(403)</span></h1>\n<p>CSRF verification failed.</p>", "Forbidden (403) CSRF verification failed."},
		{"plain text error", "text/plain", 403, "\n  wrong user  or password\nmore\n", "wrong user or password"},
		{"plain text that worked", "text/plain", 200, "all good", ""},
		{"JSON error", "application/json", 401, `{"error":{"code":7,"message":"token expired"}}`, "token expired"},
		{"JSON message of an error", "application/json", 503, `{"message":"down for maintenance"}`, "down for maintenance"},
		{"JSON message of an answer that worked", "application/json", 200, `{"message":"hello"}`, ""},
		{"long text is cut", "text/plain", 500, strings.Repeat("x", 300), strings.Repeat("x", maxPageText-1) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &httpprobe.Response{StatusCode: tc.code, Header: http.Header{"Content-Type": {tc.ct}}, Body: []byte(tc.body)}
			if got := PageText(resp, nil); got != tc.want {
				t.Errorf("PageText = %q, want %q", got, tc.want)
			}
		})
	}
	secret := &httpprobe.Response{StatusCode: 403, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte(`<p class="error">no such user s3cr&#101;t-user</p>`)}
	mask := func(s string) string { return strings.ReplaceAll(s, "s3cret-user", "***") }
	if got := PageText(secret, mask); got != "no such user ***" {
		t.Errorf("PageText = %q: a secret the page holds escaped is shown", got)
	}
}
