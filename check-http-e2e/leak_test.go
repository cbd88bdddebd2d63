package main

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				c.Write([]byte("HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
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
