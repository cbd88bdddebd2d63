package main

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// journeyFile writes a scenario of steps against base.
func journeyFile(t *testing.T, base, steps string) string {
	t.Helper()
	return testutil.WriteFile(t, "journey.yml", []byte("name: smoke\nbase_url: "+base+"\nsteps:\n"+steps))
}

// TestPortOutOfRange: a port past 65535 is a usage error wherever it is
// written, never wrapped to another port (83596 would probe 18060).
func TestPortOutOfRange(t *testing.T) {
	base := serve(t)
	u, _ := url.Parse(base)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"-u", []string{"-u", "http://127.0.0.1:83596/"}, `-u http://127.0.0.1:83596/: port "83596" is not a number from 1 to 65535`},
		{"-u, zero", []string{"-u", "http://127.0.0.1:0/"}, `port "0" is not a number from 1 to 65535`},
		{"--resolve", []string{"-u", base + "/ok", "--resolve", "a:83596:127.0.0.1"}, `--resolve "a:83596:127.0.0.1": port "83596" is not a number from 1 to 65535`},
		{"--connect-to, from", []string{"-u", base + "/ok", "--connect-to", "a:70000:b:80"}, `port "70000" is not a number from 1 to 65535`},
		{"--connect-to, to", []string{"-u", base + "/ok", "--connect-to", "::127.0.0.1:83596"}, `port "83596" is not a number from 1 to 65535`},
		{"--proxy", []string{"-u", base + "/ok", "--proxy", "http://127.0.0.1:83596"}, `--proxy http://127.0.0.1:83596: port "83596"`},
		{"scenario base_url", []string{"--scenario", journeyFile(t, "http://127.0.0.1:83596", "  - get: /ok\n")}, `line 2: base_url "http://127.0.0.1:83596": port "83596"`},
		{"scenario step URL", []string{"--scenario", journeyFile(t, base, "  - get: http://"+u.Hostname()+":83596/ok\n")}, `line 4: step 1 get "http://127.0.0.1:83596/ok": port "83596"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, nil, tc.args...).Expect(t, 3, "HTTP UNKNOWN: ", tc.want)
		})
	}
	// A redirect to such a port is named, not followed elsewhere.
	run(t, nil, "-u", base+"/goto?url=http://127.0.0.1:83596/").Expect(t, 2, "HTTP CRITICAL: ", `redirect to http://127.0.0.1:83596/ not followed: port "83596"`)
}

// TestCleartextDowngrade: after an https origin, a redirect to http://
// goes without the credentials, in both modes, and the message names it.
func TestCleartextDowngrade(t *testing.T) {
	pki := testutil.NewPKI(t)
	secure := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 90), pki.Intermediate}, false)
	plain := serve(t)
	s, _ := url.Parse(secure)
	to := url.QueryEscape(plain + "/echo")
	// /echo shows what it got: none of the credentials may be there.
	none := []string{"--jq", `.header.Authorization == null`, "--jq", `.header.Cookie == null`}
	for _, tc := range []struct {
		name    string
		args    []string
		dropped string
	}{
		{"-H Authorization and Cookie", []string{"-u", secure + "/goto?url=" + to, "-H", "Authorization: Bearer " + password, "-H", "Cookie: session=" + password}, "Authorization, Cookie not sent over http://"},
		{"URL user info", []string{"-u", "https://monitor:" + password + "@" + s.Host + "/goto?url=" + to}, "Authorization not sent"},
		{"--user", []string{"-u", secure + "/goto?url=" + to, "--user", "monitor:" + password}, "Authorization not sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, append(append(tc.args, "--insecure"), none...)...)
			r.Expect(t, 1, "HTTP WARNING: redirect downgraded to cleartext, "+secure+"/goto?url=", " -> "+plain+"/echo: "+tc.dropped)
			if strings.Contains(r.Stdout, password) {
				t.Errorf("output shows the password:\n%s", r.Stdout)
			}
		})
	}
	// Without credentials there is nothing to hold back.
	run(t, nil, "-u", secure+"/goto?url="+to, "--insecure").Expect(t, 0, "HTTP OK: ")

	// A journey: headers, and the session cookie of its jar.
	journey := journeyFile(t, secure, `  - name: sign in
    get: /cookie
  - name: api
    get: /goto?url=`+to+`
    headers: {Authorization: "Bearer `+password+`"}
    expect: {jq: ['.header.Authorization == null', '.header.Cookie == null']}
`)
	r := run(t, nil, "--scenario", journey, "--insecure")
	r.Expect(t, 1, `HTTP WARNING: smoke step 2/2 "api": redirect downgraded to cleartext, `, "Authorization, cookies of the journey not sent over http://")
	if strings.Contains(r.Stdout, password) {
		t.Errorf("output shows the password:\n%s", r.Stdout)
	}
}

// TestRefusedRedirect: a redirect to a scheme no request may use is
// named as a redirect, not as a failure to connect.
func TestRefusedRedirect(t *testing.T) {
	base := serve(t)
	run(t, nil, "-u", base+"/goto?url=file:///etc/passwd").
		Expect(t, 2, "HTTP CRITICAL: GET "+base+"/goto?url=file:///etc/passwd: redirect to file:///etc/passwd not followed: only http:// and https:// redirects are followed")
	run(t, nil, "--scenario", journeyFile(t, base, "  - name: hop\n    get: /goto?url=file:///etc/passwd\n")).
		Expect(t, 2, `HTTP CRITICAL: smoke step 1/1 "hop": `, "redirect to file:///etc/passwd not followed")
}

// TestCorrectnessUsageErrors: mistakes in the command line or the file
// that used to reach the network, or to be reported as the target's
// failure, are usage errors found before any request.
func TestCorrectnessUsageErrors(t *testing.T) {
	base := serve(t)
	u, _ := url.Parse(base)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"user info and -H Authorization", []string{"-u", "http://monitor:" + password + "@" + u.Host + "/auth", "-H", "Authorization: Bearer x"}, "user info in -u and -H Authorization conflict"},
		{"--user and -H Authorization", []string{"-u", base + "/auth", "--user", "monitor:" + password, "-H", "authorization: Bearer x"}, "--user and -H Authorization conflict"},
		{"user info and --user", []string{"-u", "http://monitor:" + password + "@" + u.Host + "/auth", "--user", "a:b"}, "user info in -u and --user conflict"},
		{"scenario user info and Authorization", []string{"--scenario", journeyFile(t, "http://monitor:"+password+"@"+u.Host, "  - get: /auth\n    headers: {Authorization: Bearer x}\n")}, "line 4: step 1 has user info in its URL and an Authorization header"},
		{"-H control character", []string{"-u", base + "/ok", "-H", "X-A: a\x01b"}, `-H X-A: a header value cannot hold the control character '\x01'`},
		{"source ip not of this host", []string{"-u", base + "/ok", "--source-ip", "192.0.2.1"}, "--source-ip 192.0.2.1 is not an address of this host"},
		{"source ip of the other family", []string{"-u", "http://[::1]:" + u.Port() + "/ok", "--source-ip", "127.0.0.1"}, "--source-ip 127.0.0.1 cannot reach ::1, an address of the other family"},
		{"empty steps", []string{"--scenario", testutil.WriteFile(t, "empty.yml", []byte("name: x\nsteps: []\n"))}, "line 2: steps is an empty list"},
		{"header from a | block", []string{"--scenario", journeyFile(t, base, "  - get: /ok\n    headers:\n      X-Token: |\n        abc\n")}, "line 6: step 1 headers X-Token: a header value cannot hold a line break (a YAML | or > block"},
		{"scenario header from env", []string{"--scenario", testutil.WriteFile(t, "env.yml", []byte("base_url: "+base+"\nheaders: {X-A: '${env:E2E_NEWLINE}'}\nsteps:\n  - get: /ok\n"))}, "line 2: headers X-A: a header value cannot hold a line break"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, []string{"E2E_NEWLINE=a\nb"}, tc.args...)
			r.Expect(t, 3, "HTTP UNKNOWN: ", tc.want)
			if strings.Contains(r.Stdout, password) || strings.Count(r.Stdout, "\n") != 1 {
				t.Errorf("not one line, or shows the password:\n%s", r.Stdout)
			}
		})
	}
}

// TestExtractedHeaderValue: a value a response gave that cannot go into
// a header fails the step that would send it, named with the header.
func TestExtractedHeaderValue(t *testing.T) {
	base := serve(t)
	journey := journeyFile(t, base, `  - name: read
    post: /echo
    body: "two\nlines"
    extract: {v: {jq: .body}}
  - name: send
    get: /ok
    headers: {X-Value: "${v}"}
`)
	r := run(t, nil, "--scenario", journey)
	r.Expect(t, 2, `HTTP CRITICAL: smoke step 2/2 "send": header X-Value: a header value cannot hold a line break, from what an earlier step extracted`)
	if strings.Contains(r.Stdout, "connect") {
		t.Errorf("reported as a connect failure:\n%s", r.Stdout)
	}
	// A port a response gave is the response's finding too.
	journey = journeyFile(t, base, `  - name: read
    post: /echo
    body: "83596"
    extract: {port: {jq: .body}}
  - name: send
    get: http://127.0.0.1:${port}/ok
`)
	run(t, nil, "--scenario", journey).Expect(t, 2, `HTTP CRITICAL: smoke step 2/2 "send": URL "http://127.0.0.1:83596/ok": port "83596" is not a number from 1 to 65535`)
}

// A ${file:} is read once, when the scenario is loaded: every step sends
// the value the run began with, and a token file rotated or gone in the
// middle of a journey (or a mount that hangs by then) does not fail the
// steps after it.
func TestFileReferenceReadOnce(t *testing.T) {
	token := testutil.WriteFile(t, "token", []byte("tok-Aa1Bb2Cc3\n"))
	mux := http.NewServeMux()
	mux.Handle("/", app)
	mux.HandleFunc("/rotate", func(w http.ResponseWriter, r *http.Request) {
		if err := os.Remove(token); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	base := testutil.ServeHTTP(t, mux, false)
	header := `    headers: {X-Token: "${file:` + token + `}"}` + "\n"
	res := run(t, nil, "--scenario", journeyFile(t, base,
		"  - name: rotate\n    get: /rotate\n"+header+
			"  - name: use\n    get: /echo\n"+header+
			`    expect: {jq: ['.header["X-Token"][0] == "tok-Aa1Bb2Cc3"']}`+"\n"))
	res.Expect(t, 0, "HTTP OK: smoke, 2 steps passed")
}

// A JSON value followed by anything but white space is not a JSON body:
// a PHP fatal error printed after the document, or a stray bracket, must
// fail --jq, as jq itself fails it, never be judged by its first value.
func TestJQTrailingJunk(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/fatal", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{\"status\":\"ok\"}\nFatal error: database down\n"))
	})
	mux.HandleFunc("/bracket", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}]`))
	})
	mux.HandleFunc("/spaces", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("\n {\"status\":\"ok\"} \r\n\t"))
	})
	base := testutil.ServeHTTP(t, mux, false)
	for _, path := range []string{"/fatal", "/bracket"} {
		run(t, nil, "-u", base+path, "--jq", `.status == "ok"`).Expect(t, 2, "HTTP CRITICAL: ", "not JSON")
		run(t, nil, "--scenario", journeyFile(t, base, "  - get: "+path+"\n    expect: {jq: ['.status == \"ok\"']}\n")).Expect(t, 2, "HTTP CRITICAL: ", "not JSON")
	}
	run(t, nil, "-u", base+"/spaces", "--jq", `.status == "ok"`).Expect(t, 0, "HTTP OK: ")
}

// Body assertions judge the text of the body, whatever coding the server
// wrapped it in: deflate (zlib or bare), gzip twice. A coding the check
// cannot decode fails, naming it, rather than letting --invert-pattern
// pass over compressed bytes.
func TestContentEncodings(t *testing.T) {
	const page = "<html>Internal Server Error: database down</html>"
	deflated := func(z bool) []byte {
		var b bytes.Buffer
		var w io.WriteCloser
		if z {
			w = zlib.NewWriter(&b)
		} else {
			w, _ = flate.NewWriter(&b, flate.BestCompression)
		}
		w.Write([]byte(page))
		w.Close()
		return b.Bytes()
	}
	gzipped := func(p []byte) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(p)
		w.Close()
		return b.Bytes()
	}
	bodies := map[string]struct {
		coding string
		body   []byte
	}{
		"/zlib":     {"deflate", deflated(true)},
		"/raw":      {"deflate", deflated(false)},
		"/gzip2":    {"gzip, gzip", gzipped(gzipped([]byte(page)))},
		"/xgzip":    {"x-gzip", gzipped([]byte(page))},
		"/identity": {"identity", []byte(page)},
		"/br":       {"br", []byte("\x1b\x30\x00\xf8\x25\x02\xb2\x76\xb1")},
	}
	mux := http.NewServeMux()
	for path, b := range bodies {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", b.coding)
			w.Write(b.body)
		})
	}
	base := testutil.ServeHTTP(t, mux, false)
	accept := []string{"-H", "Accept-Encoding: gzip, deflate, br"}
	for _, path := range []string{"/zlib", "/raw", "/gzip2", "/xgzip", "/identity"} {
		t.Run(path, func(t *testing.T) {
			run(t, nil, append(accept, "-u", base+path, "--invert-pattern", "Internal Server Error")...).
				Expect(t, 2, "HTTP CRITICAL: ", `body matches "Internal Server Error", expected not to`)
			run(t, nil, append(accept, "-u", base+path, "--contains", "database down")...).Expect(t, 0, "HTTP OK: ")
		})
	}
	run(t, nil, append(accept, "-u", base+"/br", "--invert-pattern", "Internal Server Error")...).
		Expect(t, 2, "HTTP CRITICAL: ", "Content-Encoding br", "leave it out of Accept-Encoding")
}
