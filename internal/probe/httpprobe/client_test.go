package httpprobe

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"crypto/x509"

	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
)

var app = fixture.App{User: "monitor", Password: "s3cret"}.Handler()

func do(t *testing.T, o Options, r *Request) (*Response, error) {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Do(ctx, r)
}

func TestGet(t *testing.T) {
	base := testutil.ServeHTTP(t, app, false)
	resp, err := do(t, Options{}, &Request{URL: base + "/ok"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Status != "200 OK" || string(resp.Body) != "all good" || resp.Header.Get("X-App") != "demo" {
		t.Errorf("got %s %q %v", resp.Status, resp.Body, resp.Header)
	}
	if resp.Proto != "HTTP/1.1" || resp.Truncated || len(resp.Redirects) != 0 || resp.URL.String() != base+"/ok" {
		t.Errorf("got %s truncated=%v redirects=%v url=%s", resp.Proto, resp.Truncated, resp.Redirects, resp.URL)
	}
	tm := resp.Timings
	if tm.Connect <= 0 || tm.TTFB <= 0 || tm.Total < tm.Connect+tm.TTFB || tm.TLS != 0 {
		t.Errorf("timings %+v", tm)
	}
}

func TestMethodHeadersBody(t *testing.T) {
	base := testutil.ServeHTTP(t, app, false)
	resp, err := do(t, Options{}, &Request{Method: "PUT", URL: base + "/echo", Host: "app.example",
		Header: http.Header{"x-token": {"abc"}}, Body: []byte("payload")})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"method":"PUT"`, `"host":"app.example"`, `"X-Token":["abc"]`, `"body":"payload"`} {
		if !strings.Contains(string(resp.Body), want) {
			t.Errorf("echo lacks %s: %s", want, resp.Body)
		}
	}
}

func TestTLS(t *testing.T) {
	pki := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, pki, 90)
	trust := &certchain.Trust{Extra: []*x509.Certificate{pki.Root.Certificate}}
	for _, tc := range []struct {
		name      string
		o         Options
		http1Only bool
		proto     string
		err       string
		presented bool // a *CertError carries the certificates sent
	}{
		{name: "h2 by ALPN", o: Options{Trust: trust}, proto: "HTTP/2.0"},
		{name: "forced HTTP/1.1", o: Options{Trust: trust, Protocol: HTTP1}, proto: "HTTP/1.1"},
		{name: "server without h2", o: Options{Trust: trust}, http1Only: true, proto: "HTTP/1.1"},
		{name: "forced h2, server without", o: Options{Trust: trust, Protocol: HTTP2}, http1Only: true, err: "tls 127.0.0.1:"},
		{name: "unknown issuer", o: Options{}, err: "tls 127.0.0.1:", presented: true},
		{name: "insecure", o: Options{Insecure: true}, proto: "HTTP/2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := testutil.ServeHTTPS(t, app, []*fixture.Cert{leaf, pki.Intermediate}, tc.http1Only)
			resp, err := do(t, tc.o, &Request{URL: base + "/proto"})
			if tc.err != "" {
				var pe *inflight.Error
				if !errors.As(err, &pe) || pe.Phase != inflight.TLS || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("got %v, want a tls phase error %q", err, tc.err)
				}
				var ce *CertError
				switch {
				case errors.As(err, &ce) != tc.presented:
					t.Fatalf("got %#v, want a *CertError: %v", err, tc.presented)
				case ce != nil && (len(ce.Presented) != 2 || !ce.Presented[0].Equal(leaf.Certificate) || ce.Error() != pe.Error()):
					t.Errorf("presented %d certificates, message %q; want the leaf and the intermediate, and %q", len(ce.Presented), ce, pe)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Proto != tc.proto || string(resp.Body) != tc.proto {
				t.Errorf("spoke %s (server saw %s), want %s", resp.Proto, resp.Body, tc.proto)
			}
			if len(resp.PeerCertificates) == 0 || resp.PeerCertificates[0].Subject.CommonName != "localhost" {
				t.Errorf("peer certificates %v", resp.PeerCertificates)
			}
			if resp.Timings.TLS <= 0 {
				t.Errorf("no tls time: %+v", resp.Timings)
			}
		})
	}
}

func TestH2C(t *testing.T) {
	base := testutil.ServeHTTP(t, app, true)
	resp, err := do(t, Options{Protocol: HTTP2}, &Request{URL: base + "/proto"})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "HTTP/2.0" {
		t.Errorf("server saw %s", resp.Body)
	}
}

func TestRedirects(t *testing.T) {
	base := testutil.ServeHTTP(t, app, false)
	resp, err := do(t, Options{}, &Request{URL: base + "/redirect/3"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.URL.Path != "/ok" || len(resp.Redirects) != 3 || resp.Redirects[0].Path != "/redirect/3" || resp.Redirects[2].Path != "/redirect/1" {
		t.Errorf("ended at %s via %v", resp.URL, resp.Redirects)
	}
	if resp.Timings.TTFB <= 0 {
		t.Errorf("timings %+v", resp.Timings)
	}

	resp, err = do(t, Options{}, &Request{URL: base + "/redirect/3", NoFollow: true})
	if err != nil || resp.StatusCode != 302 || resp.URL.Path != "/redirect/3" || resp.Header.Get("Location") != "/redirect/2" {
		t.Errorf("--no-follow: %v %+v", err, resp)
	}

	for _, tc := range []struct {
		path string
		max  int
		want string
	}{
		{"/loop/a", 0, "redirect loop: " + base + "/loop/a -> " + base + "/loop/b -> " + base + "/loop/a"},
		{"/redirect/5", 2, "more than 2 redirects: " + base + "/redirect/5 -> "},
	} {
		_, err := do(t, Options{}, &Request{URL: base + tc.path, MaxRedirects: tc.max})
		var re *RedirectError
		if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.path, err, tc.want)
		}
	}
}

func TestMaxBody(t *testing.T) {
	base := testutil.ServeHTTP(t, app, false)
	resp, err := do(t, Options{}, &Request{URL: base + "/endless", MaxBody: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Truncated || len(resp.Body) != 100_000 || !strings.HasPrefix(string(resp.Body), "endless body") {
		t.Errorf("truncated=%v, %d bytes", resp.Truncated, len(resp.Body))
	}
	resp, err = do(t, Options{}, &Request{URL: base + "/ok", MaxBody: 8})
	if err != nil || resp.Truncated || string(resp.Body) != "all good" {
		t.Errorf("a body exactly at the cap: %v %+v", err, resp)
	}
}

// A timeout names the phase in progress and the address, and the run's
// inflight tracker saw it open.
func TestTimeoutNamesPhase(t *testing.T) {
	base := testutil.ServeHTTP(t, app, false)
	stall := testutil.ServeStall(t)
	for _, tc := range []struct {
		url, phase string
	}{
		{base + "/slow?d=1m", inflight.TTFB},
		{base + "/trickle", inflight.Body},
		{"https://" + stall + "/", inflight.TLS},
	} {
		t.Run(tc.phase, func(t *testing.T) {
			// The servers stall for good, so a long deadline costs only
			// its wait, and a starved machine still gets through connect
			// and headers before it: /trickle must end in body, not ttfb.
			deadline := time.Now().Add(2 * time.Second)
			c, err := New(Options{Deadline: deadline})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			tracker := &inflight.Tracker{}
			ctx, cancel := context.WithDeadline(inflight.With(context.Background(), tracker), deadline)
			defer cancel()
			// What the watchdog would name: the work open last before
			// the deadline.
			seen := make(chan []inflight.Item, 1)
			go func() {
				var last []inflight.Item
				for ctx.Err() == nil {
					if open := tracker.Open(); len(open) > 0 {
						last = open
					}
					time.Sleep(5 * time.Millisecond)
				}
				seen <- last
			}()
			_, err = c.Do(ctx, &Request{URL: tc.url})
			var pe *inflight.Error
			if !errors.As(err, &pe) || pe.Phase != tc.phase || !pe.TimedOut || !strings.HasPrefix(pe.Addr, "127.0.0.1:") {
				t.Fatalf("got %v, want %s timed out", err, tc.phase)
			}
			open := <-seen
			if len(open) == 0 || !strings.HasPrefix(open[len(open)-1].What, tc.phase+" 127.0.0.1:") {
				t.Errorf("open at the deadline: %+v", open)
			}
		})
	}
}

func TestConnectFailure(t *testing.T) {
	closed := testutil.ClosedAddr(t)
	_, err := do(t, Options{}, &Request{URL: "http://" + closed + "/"})
	var pe *inflight.Error
	if !errors.As(err, &pe) || pe.Phase != inflight.Connect || pe.Addr != closed {
		t.Fatalf("got %v, want connect %s", err, closed)
	}
}

func TestConnectTo(t *testing.T) {
	base := testutil.ServeHTTP(t, app, false)
	u, _ := url.Parse(base)
	port, _ := strconv.Atoi(u.Port())
	for _, ct := range []ConnectTo{
		{Host: "app.example", Port: 80, ToHost: "127.0.0.1", ToPort: port},
		{ToPort: port, ToHost: "127.0.0.1"},
	} {
		resp, err := do(t, Options{ConnectTo: []ConnectTo{ct}, Resolver: testutil.Hosts{}}, &Request{URL: "http://app.example/echo"})
		if err != nil {
			t.Fatalf("%+v: %v", ct, err)
		}
		if !strings.Contains(string(resp.Body), `"host":"app.example"`) {
			t.Errorf("%+v: %s", ct, resp.Body)
		}
	}
	// A rule for another host leaves the request alone: the name is
	// resolved, and this resolver knows it nowhere.
	resp, err := do(t, Options{ConnectTo: []ConnectTo{{Host: "other.example", ToHost: "127.0.0.1", ToPort: port}},
		Resolver: testutil.Hosts{"app.example": {"127.0.0.1"}}}, &Request{URL: "http://app.example:" + u.Port() + "/ok"})
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("got %v %v", err, resp)
	}
}

func TestCookieJar(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "xyz", Path: "/"})
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("session")
		if err == nil {
			w.Write([]byte(c.Value))
		}
	})
	base := testutil.ServeHTTP(t, mux, false)
	jar, _ := cookiejar.New(nil)
	c, err := New(Options{Jar: jar})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	if _, err := c.Do(ctx, &Request{URL: base + "/set"}); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(ctx, &Request{URL: base + "/get"})
	if err != nil || string(resp.Body) != "xyz" {
		t.Errorf("cookie not sent back: %v %v", err, resp)
	}
}

func TestProxy(t *testing.T) {
	base := testutil.ServeHTTP(t, app, false)
	var seen string
	proxy := testutil.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.URL.String()
		w.Write([]byte("from the proxy"))
	}), false)
	pu, _ := url.Parse(proxy)
	resp, err := do(t, Options{Proxy: pu}, &Request{URL: base + "/ok"})
	if err != nil || string(resp.Body) != "from the proxy" || seen != base+"/ok" {
		t.Errorf("got %v %v, proxy saw %q", err, resp, seen)
	}
}

func TestBadURL(t *testing.T) {
	for _, u := range []string{"ftp://x/", "http://", "::"} {
		if _, err := do(t, Options{}, &Request{URL: u}); err == nil {
			t.Errorf("%q: no error", u)
		}
	}
}

// Under GODEBUG=http2client=0 (mackerel-agent's environment) net/http
// speaks no HTTP/2: the client must not offer it by ALPN either, or a
// server would answer in HTTP/2 to an HTTP/1.1 client.
func TestHTTP2TurnedOff(t *testing.T) {
	pki := testutil.NewPKI(t)
	trust := &certchain.Trust{Extra: []*x509.Certificate{pki.Root.Certificate}}
	base := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 90), pki.Intermediate}, false)
	t.Setenv("GODEBUG", "http2client=0")
	resp, err := do(t, Options{Trust: trust}, &Request{URL: base + "/proto"})
	if err != nil || string(resp.Body) != "HTTP/1.1" {
		t.Errorf("got %v %+v", err, resp)
	}
	if _, err := New(Options{Protocol: HTTP2}); err == nil || !strings.Contains(err.Error(), "GODEBUG=http2client=0") {
		t.Errorf("forcing HTTP/2: %v", err)
	}
	t.Setenv("GODEBUG", "http2client=0,http2client=1")
	resp, err = do(t, Options{Trust: trust}, &Request{URL: base + "/proto"})
	if err != nil || string(resp.Body) != "HTTP/2.0" {
		t.Errorf("turned on again: %v %+v", err, resp)
	}
}

// TestHeaderErrorsUnquoted: a response header net/http refuses is not
// quoted in the error, which says what was wrong with it instead; other
// errors pass as they are.
func TestHeaderErrorsUnquoted(t *testing.T) {
	const pw = "S3cr3tPassw0rd"
	for _, tc := range []struct {
		name, head, want string
	}{
		{"Location that is not a URL", "Location: http://admin:S3cr3t/Passw0rd@127.0.0.1:1/", "Location header is not a URL"},
		{"control character", "Location: http://admin:" + pw + "@127.0.0.1:1/e\x7f", "malformed response header line"},
		{"indented first line", " Location: http://admin:" + pw + "@127.0.0.1:1/", "first response header line is indented"},
		{"no colon", "X-Auth Bearer " + pw, "response header line has no colon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := testutil.ServeCanned(t, "HTTP/1.1 302 Found\r\n"+tc.head+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			_, err := do(t, Options{}, &Request{URL: "http://" + addr + "/"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			for _, piece := range []string{"S3cr3t", "Passw0rd", "admin"} {
				if strings.Contains(err.Error(), piece) {
					t.Errorf("err = %v quotes %q", err, piece)
				}
			}
		})
	}
	other := errors.New("dial tcp: connection refused")
	if got := unquoteHeaders(other); got != other {
		t.Errorf("unquoteHeaders(%v) = %v, want it unchanged", other, got)
	}
}
