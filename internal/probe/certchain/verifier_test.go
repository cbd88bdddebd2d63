package certchain

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// A verification that panics is remembered as a failure: the callers
// waiting on the same chain and name must never read it as verified.
func TestVerifierPanicIsNotAPass(t *testing.T) {
	p := testutil.NewPKI(t)
	chain := x509s(testutil.Leaf(t, p, 30), p.Intermediate)
	v := panicking()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the first verification did not panic")
			}
		}()
		v.Verify(chain, "localhost")
	}()
	s := v.Verify(chain, "localhost")
	if s.VerifyErr == nil {
		t.Fatal("a verification that panicked reads as verified")
	}
	if want := "verification did not finish"; s.VerifyErr.Error() != want {
		t.Errorf("VerifyErr = %q, want %q", s.VerifyErr, want)
	}
}

// panicking is a verifier whose store reader panics.
func panicking() *Verifier {
	return &Verifier{now: time.Now(), done: map[string]*verification{}, tiers: []*tier{{
		build:  func(...[]*x509.Certificate) (*x509.CertPool, error) { panic("store reader broke") },
		looked: map[string]bool{},
	}}}
}

// net/http runs the handshake, and so VerifyConnection, on a goroutine of
// its own: a panic there reaches the handler and fails the request.
func TestVerifyConnectionPanicReported(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	panics := make(chan *goroutine.PanicError, 1)
	defer goroutine.Handle(func(p *goroutine.PanicError) { panics <- p })()
	v := panicking()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		ServerName:         "example.com", // httptest's certificate
		InsecureSkipVerify: true,
		VerifyConnection:   v.VerifyConnection,
	}}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("a handshake whose verification panicked succeeded")
	}
	if !strings.Contains(err.Error(), "verification did not finish") {
		t.Errorf("error %v, want the unfinished verification", err)
	}
	select {
	case p := <-panics:
		if p.Value != "store reader broke" {
			t.Errorf("panic value %v", p.Value)
		}
	default:
		t.Error("the panic did not reach the handler")
	}
}

// serveHTTPS starts a loopback HTTPS server presenting chain.
func serveHTTPS(t *testing.T, chain ...*fixture.Cert) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{fixture.TLSCertificate(chain...)}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// get fetches url through tr and returns the request's error.
func get(tr *http.Transport, url string) error {
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// Reached at an IP literal, the client sends no server name: the
// certificate must still be checked against the address dialed.
func TestVerifyConnectionForIPLiteral(t *testing.T) {
	p := testutil.NewPKI(t)
	trust := &Trust{Extra: x509s(p.Root)} // no system store read
	elsewhere := testutil.NewCert(t, fixture.CertOptions{CN: "other.test", DNS: []string{"other.test"}, Issuer: p.Intermediate, NotAfter: fixture.InDays(30)})
	wrong := serveHTTPS(t, elsewhere, p.Intermediate)
	right := serveHTTPS(t, testutil.Leaf(t, p, 30), p.Intermediate) // valid for 127.0.0.1

	// The name the client sent, as a shared TLSClientConfig gives it:
	// none for an IP literal, which must not pass.
	v := NewVerifier(trust, time.Time{}, false)
	err := get(&http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, VerifyConnection: v.VerifyConnection}}, wrong.URL)
	if err == nil || !strings.Contains(err.Error(), "no server name") {
		t.Errorf("VerifyConnection at %s: error %v, want no server name refused", wrong.URL, err)
	}

	// The name dialed, from a per-connection config.
	for _, tc := range []struct {
		srv  *httptest.Server
		want string // "" passes
	}{
		{wrong, "cannot validate certificate for 127.0.0.1"},
		{right, ""},
	} {
		v := NewVerifier(trust, time.Time{}, false)
		tr := &http.Transport{DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			raw, err := new(net.Dialer).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			conn := tls.Client(raw, &tls.Config{ServerName: host, InsecureSkipVerify: true, VerifyConnection: v.VerifyConnectionFor(host)})
			if err := conn.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			return conn, nil
		}}
		err := get(tr, tc.srv.URL)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("VerifyConnectionFor at %s: %v", tc.srv.URL, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("VerifyConnectionFor at %s: error %v, want %q", tc.srv.URL, err, tc.want)
		}
	}

	// The forms a dialed host comes in.
	cs := tls.ConnectionState{PeerCertificates: x509s(testutil.Leaf(t, p, 30), p.Intermediate)}
	for _, tc := range []struct{ name, want string }{
		{"localhost", ""},
		{"127.0.0.1", ""},
		{"::1", ""},
		{"[::1]", ""},
		{"::ffff:127.0.0.1", ""},
		{"other.test", "not other.test"},
		{"127.0.0.2", "not 127.0.0.2"},
		{"fe80::1%eth0", "valid for 127.0.0.1, ::1, not fe80::1"}, // checked as an address, zone dropped
		{"", "no server name"},
	} {
		err := NewVerifier(trust, time.Time{}, false).VerifyConnectionFor(tc.name)(cs)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("VerifyConnectionFor(%q): %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("VerifyConnectionFor(%q): error %v, want %q", tc.name, err, tc.want)
		}
	}
}
