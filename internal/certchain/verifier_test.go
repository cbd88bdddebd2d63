package certchain

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/testutil"
)

// A verification that panics is remembered as a failure: the callers
// waiting on the same chain and name must never read it as verified.
func TestVerifierPanicIsNotAPass(t *testing.T) {
	p := testutil.NewPKI(t)
	chain := x509s(testutil.Leaf(t, p, 30), p.Intermediate)
	v := &Verifier{now: time.Now(), done: map[string]*verification{}, tiers: []*tier{{
		build:  func(...[]*x509.Certificate) (*x509.CertPool, error) { panic("store reader broke") },
		looked: map[string]bool{},
	}}}
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
