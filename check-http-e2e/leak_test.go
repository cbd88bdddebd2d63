package main

import (
	"net/http"
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

// echoPage is a 500 page that repeats the request's Authorization header
// and query, as an error page with a debug dump does, in the letter case
// of its path (/upper, /lower, anything else as sent).
func echoPage(w http.ResponseWriter, r *http.Request) {
	text := "A=" + r.Header.Get("Authorization") + " Q=" + r.URL.RawQuery
	switch r.URL.Path {
	case "/upper":
		text = strings.ToUpper(text)
	case "/lower":
		text = strings.ToLower(text)
	}
	http.Error(w, text, http.StatusInternalServerError)
}

// rawRedirect answers with a Location header written as is, which
// net/http's server would refuse to send.
func rawRedirect(t *testing.T, location string) string {
	t.Helper()
	return "http://" + testutil.ServeCanned(t, "HTTP/1.1 302 Found\r\nLocation: "+location+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

// TestSecretsAroundRedirectsAndEchoes: credentials the check sends or
// meets on the way stay masked wherever a message would quote them: an
// echo in another letter case, a token a redirect carries in its query,
// a Location header quoted by --header-match or by the error of a
// Location that is not a URL, and a user name that is the whole
// credential (a token with an empty password).
func TestSecretsAroundRedirectsAndEchoes(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", echoPage)
	mux.HandleFunc("/tokloc", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo?token=ABCDEFGHIJsecret", http.StatusFound)
	})
	base := testutil.ServeHTTP(t, mux, false)
	host := strings.TrimPrefix(base, "http://")
	mux.HandleFunc("/userloc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://admin:LocS3cretPw88@"+host+"/home")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/fragloc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/cb#access_token=FragTokS3cret2024&token_type=bearer")
		w.WriteHeader(http.StatusFound)
	})
	badLocation := rawRedirect(t, "http://admin:S3cr3t/Passw0rd@"+host+"/echo")
	controlLocation := rawRedirect(t, "http://admin:S3cr3tPassw0rd@"+host+"/e\x7fcho")
	mux.HandleFunc("/netloc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "//admin:NetLocPw5150@"+host+"/home")
		w.WriteHeader(http.StatusFound)
	})
	// net/http quotes the first header line when it is indented, and
	// a line with no colon, in its errors.
	indentedLocation := testutil.ServeCanned(t, "HTTP/1.1 302 Found\r\n Location: http://admin:IndentPw5150@"+host+"/echo\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	noColon := testutil.ServeCanned(t, "HTTP/1.1 200 OK\r\nX-Debug-Auth Bearer NoColonTok3n99\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	token := "ghp_Tok3nAsUserName1234"
	for _, tc := range []struct {
		name    string
		env     []string
		args    []string
		code    int
		want    string
		secrets []string
	}{
		{"upper-cased echo", []string{"TOK=S3cr3tT0kenValue42"}, []string{"-u", base + "/upper", "-H", "Authorization: Bearer ${env:TOK}"}, 2, "page says",
			[]string{"S3cr3tT0kenValue42", "S3CR3TT0KENVALUE42"}},
		{"lower-cased echo", []string{"TOK=S3cr3tT0kenValue42"}, []string{"-u", base + "/lower", "-H", "Authorization: Bearer ${env:TOK}"}, 2, "page says",
			[]string{"S3cr3tT0kenValue42", "s3cr3tt0kenvalue42"}},
		{"token in a redirect's query", nil, []string{"-u", base + "/tokloc"}, 2, "page says", []string{"ABCDEFGHIJsecret"}},
		{"Location with user info, quoted by --header-match", nil, []string{"-u", base + "/userloc", "--no-follow", "--header-match", "Location: ^/home"}, 2, "header Location", []string{"LocS3cretPw88"}},
		{"Location with a token in its fragment", nil, []string{"-u", base + "/fragloc", "--no-follow", "--header-match", "Location: ^/home"}, 2, "header Location", []string{"FragTokS3cret2024"}},
		{"Location that is not a URL", nil, []string{"-u", badLocation + "/"}, 2, "Location", []string{"S3cr3t/Passw0rd", "Passw0rd"}},
		{"Location with a control character", nil, []string{"-u", controlLocation + "/"}, 2, "HTTP CRITICAL: ", []string{"S3cr3tPassw0rd"}},
		{"scheme-relative Location with user info, quoted by --header-match", nil, []string{"-u", base + "/netloc", "--no-follow", "--header-match", "Location: ^/home"}, 2, "header Location", []string{"NetLocPw5150"}},
		{"Location on an indented first header line", nil, []string{"-u", "http://" + indentedLocation + "/"}, 2, "header line", []string{"IndentPw5150"}},
		{"header line without a colon", nil, []string{"-u", "http://" + noColon + "/"}, 2, "header line", []string{"NoColonTok3n99"}},
		{"token as the user of the URL", nil, []string{"-u", "http://" + token + "@" + host + "/echo"}, 2, "page says", []string{token}},
		{"token as the user of --user", nil, []string{"-u", base + "/echo", "--user", token + ":"}, 2, "page says", []string{token}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.env, tc.args...)
			res.Expect(t, tc.code, tc.want)
			res.ExpectNoSecret(t, tc.secrets...)
		})
	}
}

// TestJourneyExtractHidesLocationSecrets: a header a journey fails to
// extract from is quoted as --header-match quotes it, a Location with its
// user info and token parameters hidden.
func TestJourneyExtractHidesLocationSecrets(t *testing.T) {
	mux := http.NewServeMux()
	base := testutil.ServeHTTP(t, mux, false)
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://admin:LocS3cretPw88@"+strings.TrimPrefix(base, "http://")+"/cb#access_token=FragTokS3cret2024")
		w.WriteHeader(http.StatusFound)
	})
	scenario := testutil.WriteFile(t, "oauth.yml", []byte(`name: oauth
base_url: `+base+`
steps:
  - name: authorize
    get: /authorize
    follow_redirects: false
    extract: {code: {header: Location, regex: 'code=([^&]+)'}}
`))
	r := run(t, nil, "--scenario", scenario)
	r.Expect(t, 2, `extract code: regex "code=([^&]+)" did not match (header Location "http://***@`)
	r.ExpectNoSecret(t, "LocS3cretPw88", "FragTokS3cret2024")
}
