package httpexpect

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/spec"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

func mustJQ(t *testing.T, expr string) JQ {
	t.Helper()
	j, err := ParseJQ(expr)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func mustHeader(t *testing.T, s string) HeaderMatch {
	t.Helper()
	h, err := ParseHeaderMatch(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustStatus(t testing.TB, s string) spec.Status {
	t.Helper()
	st, err := spec.ParseStatus(s)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func response(code int, body string) *httpprobe.Response {
	return &httpprobe.Response{
		StatusCode: code,
		Status:     http.StatusText(code),
		Header:     http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"session=abc123"}},
		Body:       []byte(body),
		Timings:    httpprobe.Timings{Total: 410 * time.Millisecond},
	}
}

func TestCheck(t *testing.T) {
	const doc = `{"status":"ok","name":"guest","queue":{"depth":5},"items":[1,2],"id":1152921504606846977}`
	resp := response(200, doc)
	resp.Status = "200 OK"
	for _, tc := range []struct {
		name   string
		expect Expect
		resp   *httpprobe.Response
		want   []check.Finding
	}{
		{"default status OK", Expect{}, resp, nil},
		{"default status 404", Expect{}, &httpprobe.Response{StatusCode: 404, Status: "404 Not Found"},
			[]check.Finding{{Status: check.CRITICAL, Text: "status 404 Not Found, expected 200-399"}}},
		{"status set", Expect{Status: mustStatus(t, "200,302")}, &httpprobe.Response{StatusCode: 301, Status: "301 Moved Permanently"},
			[]check.Finding{{Status: check.CRITICAL, Text: "status 301 Moved Permanently, expected 200, 302"}}},
		{"status mapped to warning", Expect{Status: mustStatus(t, "404=warning")}, &httpprobe.Response{StatusCode: 404, Status: "404 Not Found"},
			[]check.Finding{{Status: check.WARNING, Text: "status 404 Not Found (404=warning)"}}},
		{"status outside mappings", Expect{Status: mustStatus(t, "404=warning")}, &httpprobe.Response{StatusCode: 500, Status: "500 Internal Server Error"},
			[]check.Finding{{Status: check.CRITICAL, Text: "status 500 Internal Server Error, expected 200-399"}}},
		{"status line without reason", Expect{}, &httpprobe.Response{StatusCode: 503},
			[]check.Finding{{Status: check.CRITICAL, Text: "status 503, expected 200-399"}}},
		{"all met", Expect{
			Status:      mustStatus(t, "2xx"),
			Patterns:    []*regexp.Regexp{regexp.MustCompile(`"status":"o.`)},
			Inverted:    []*regexp.Regexp{regexp.MustCompile(`error`)},
			Contains:    []string{`"name":"guest"`},
			NotContains: []string{"admin"},
			JQ:          []JQ{mustJQ(t, `.status == "ok"`), mustJQ(t, `.queue.depth < 100`), mustJQ(t, `.items | length > 1`), mustJQ(t, `.id == 1152921504606846977`)},
			Headers:     []HeaderMatch{mustHeader(t, "content-type: ^application/json")},
			TimeWarning: time.Second, TimeCritical: 2 * time.Second,
		}, resp, nil},
		{"contains", Expect{Contains: []string{`name="csrf"`}}, response(200, "<html>\n<p>Sign in</p>"),
			[]check.Finding{{Status: check.CRITICAL, Text: `body does not contain "name=\"csrf\"" (body 21 bytes: "<html> <p>Sign in</p>")`}}},
		{"not contains", Expect{NotContains: []string{"guest"}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `body contains "guest", expected not to (body 89 bytes, around it: "{\"status\":\"ok\",\"name\":\"guest\",\"queue\":{\"depth\":5},\"items\":[1,2],\"id\"…")`}}},
		{"pattern", Expect{Patterns: []*regexp.Regexp{regexp.MustCompile(`^OK$`)}}, response(200, ""),
			[]check.Finding{{Status: check.CRITICAL, Text: `body does not match "^OK$" (body 0 bytes)`}}},
		{"inverted", Expect{Inverted: []*regexp.Regexp{regexp.MustCompile(`[Ee]rror: \w+`)}}, response(200, "Error: database down"),
			[]check.Finding{{Status: check.CRITICAL, Text: `body matches "[Ee]rror: \\w+", expected not to (body 20 bytes, around it: "Error: database down")`}}},
		{"jq comparison shows the left side", Expect{JQ: []JQ{mustJQ(t, `.name == "monitor"`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.name == "monitor"' got "guest"`}}},
		{"jq less than", Expect{JQ: []JQ{mustJQ(t, `.queue.depth < 3`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.queue.depth < 3' got 5`}}},
		{"jq comparison after a pipe", Expect{JQ: []JQ{mustJQ(t, `.items | length >= 3`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.items | length >= 3' got 2`}}},
		{"jq missing key", Expect{JQ: []JQ{mustJQ(t, `.missing != null`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.missing != null' got null`}}},
		{"jq not a comparison", Expect{JQ: []JQ{mustJQ(t, `.queue`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.queue' got {"depth":5}`}}},
		{"jq and", Expect{JQ: []JQ{mustJQ(t, `.status == "ok" and .queue.depth > 10`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.status == "ok" and .queue.depth > 10' got false`}}},
		{"jq no value", Expect{JQ: []JQ{mustJQ(t, `empty`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq 'empty' got no value`}}},
		{"jq error", Expect{JQ: []JQ{mustJQ(t, `.name.first == 1`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.name.first == 1' failed: expected an object but got: string ("guest") (body 89 bytes: "{\"status\":\"ok\",\"name\":\"guest\",\"queue\":{\"depth\":5},\"items\":[…")`}}},
		{"jq cannot read the environment", Expect{JQ: []JQ{mustJQ(t, `env.HOME == "x"`)}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `jq 'env.HOME == "x"' got null`}}},
		{"jq over HTML", Expect{JQ: []JQ{mustJQ(t, `.ok`)}}, response(200, "<html>oops</html>"),
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.ok': body is not JSON (invalid character '<' looking for beginning of value) (body 17 bytes: "<html>oops</html>")`}}},
		{"jq over an empty body", Expect{JQ: []JQ{mustJQ(t, `.ok`)}}, response(204, ""),
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.ok': body is empty, not JSON (body 0 bytes)`}}},
		{"jq over a cut body", Expect{JQ: []JQ{mustJQ(t, `.ok`)}}, &httpprobe.Response{StatusCode: 200, Body: []byte(`{"ok":tr`), Truncated: true},
			[]check.Finding{{Status: check.CRITICAL, Text: `jq '.ok': body is not JSON (unexpected EOF) (body cut at 8 bytes: "{\"ok\":tr")`}}},
		{"contains beyond the cut", Expect{Contains: []string{"</html>"}}, &httpprobe.Response{StatusCode: 200, Body: []byte("<html>"), Truncated: true},
			[]check.Finding{{Status: check.CRITICAL, Text: `body does not contain "</html>" (body cut at 6 bytes: "<html>")`}}},
		{"header mismatch", Expect{Headers: []HeaderMatch{mustHeader(t, "Content-Type: ^text/html")}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `header Content-Type "application/json" does not match "^text/html"`}}},
		{"header missing", Expect{Headers: []HeaderMatch{mustHeader(t, "Location: ^/home")}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `header Location missing, expected to match "^/home"`}}},
		{"secret header value masked", Expect{Headers: []HeaderMatch{mustHeader(t, "Set-Cookie: ^sid=")}}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: `header Set-Cookie *** does not match "^sid="`}}},
		{"time critical", Expect{TimeWarning: 100 * time.Millisecond, TimeCritical: 400 * time.Millisecond}, resp,
			[]check.Finding{{Status: check.CRITICAL, Text: "total 0.41s over critical 0.40s"}}},
		{"time warning", Expect{TimeWarning: 100 * time.Millisecond, TimeCritical: 2 * time.Second}, resp,
			[]check.Finding{{Status: check.WARNING, Text: "total 0.41s over warning 0.10s"}}},
		{"a wrong status is one line, what its page lacks is the same cause", Expect{Contains: []string{"x"}, JQ: []JQ{mustJQ(t, ".status == 1")}}, &httpprobe.Response{StatusCode: 500, Status: "500 Internal Server Error", Body: []byte(`{"status":"down"}`)},
			[]check.Finding{{Status: check.CRITICAL, Text: "status 500 Internal Server Error, expected 200-399"}}},
		{"several failures, in order", Expect{Contains: []string{"x"}, JQ: []JQ{mustJQ(t, ".status == 1")}}, &httpprobe.Response{StatusCode: 200, Status: "200 OK", Body: []byte(`{"status":"down"}`)},
			[]check.Finding{
				{Status: check.CRITICAL, Text: `body does not contain "x" (body 17 bytes: "{\"status\":\"down\"}")`},
				{Status: check.CRITICAL, Text: `jq '.status == 1' got "down"`},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.expect.Check(tc.resp)
			if len(got) != len(tc.want) {
				t.Fatalf("Check = %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("finding %d = %v %q\n                want %v %q", i, got[i].Status, got[i].Text, tc.want[i].Status, tc.want[i].Text)
				}
				if s := textfmt.Sanitize(got[i].Text); s != got[i].Text {
					t.Errorf("finding %d %q needs sanitising: peer text must be quoted", i, got[i].Text)
				}
			}
		})
	}
}

// A body that tries to forge a line of its own is quoted, escapes and all.
func TestCheckQuotesPeerText(t *testing.T) {
	resp := response(200, "ok\nHTTP OK: forged\x1b[2J\u2028")
	resp.Header.Set("X-Build", "1\r\nHTTP OK: forged")
	e := Expect{
		Contains: []string{"healthy"},
		Headers:  []HeaderMatch{mustHeader(t, "X-Build: ^2")},
		JQ:       []JQ{mustJQ(t, `.`)},
	}
	for _, f := range e.Check(resp) {
		if strings.ContainsAny(f.Text, "\n\r\x1b\u2028") {
			t.Errorf("finding %q carries a control character", f.Text)
		}
	}
	resp = response(200, `{"name":"a\nHTTP OK: forged\u2028"}`)
	for _, f := range (&Expect{JQ: []JQ{mustJQ(t, `.name == "b"`)}}).Check(resp) {
		if s := textfmt.Sanitize(f.Text); s != f.Text || strings.ContainsAny(f.Text, "\n\u2028") {
			t.Errorf("finding %q carries a control character", f.Text)
		}
	}
}

func TestJQContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	e := Expect{JQ: []JQ{mustJQ(t, `[repeat(.)] | length > 0`)}}
	got := e.CheckContext(ctx, response(200, `{}`))
	if len(got) != 1 || !strings.Contains(got[0].Text, "failed: context deadline exceeded") {
		t.Errorf("CheckContext = %q, want the expression stopped at the deadline", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  func() error
		want string
	}{
		{"jq syntax", func() error { _, err := ParseJQ(".a =="); return err }, `jq ".a ==": unexpected EOF`},
		{"jq unknown function", func() error { _, err := ParseJQ("frobnicate(.)"); return err }, `jq "frobnicate(.)": function not defined: frobnicate/1`},
		{"jq empty", func() error { _, err := ParseJQ(" "); return err }, "empty jq expression"},
		{"header without colon", func() error { _, err := ParseHeaderMatch("Location ^/home"); return err }, `header match "Location ^/home": write 'Name: REGEXP'`},
		{"header bad name", func() error { _, err := ParseHeaderMatch("Bad Name: x"); return err }, `"Bad Name" is not a header name`},
		{"header bad regexp", func() error { _, err := ParseHeaderMatch("Location: ^(/home"); return err }, `header match Location: regular expression "^(/home": missing closing ): ` + "`^(/home`"},
		{"regexp lookahead", func() error { _, err := spec.ParseRegexp("a(?=b)"); return err }, "RE2 syntax"},
	} {
		err := tc.err()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to say %q", tc.name, err, tc.want)
		}
	}
}
