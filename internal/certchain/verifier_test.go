package certchain

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/goroutine"
	jobs "github.com/frontline-sre/mackerel-frontline/internal/pool"
	"github.com/frontline-sre/mackerel-frontline/internal/testutil"
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
	panics := make(chan *jobs.PanicError, 1)
	defer goroutine.Handle(func(p *jobs.PanicError) { panics <- p })()
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
