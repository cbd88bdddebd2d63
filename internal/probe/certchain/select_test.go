package certchain

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func pool(certs ...*fixture.Cert) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c.Certificate)
	}
	return p
}

func x509s(certs ...*fixture.Cert) []*x509.Certificate {
	out := make([]*x509.Certificate, len(certs))
	for i, c := range certs {
		out[i] = c.Certificate
	}
	return out
}

// describe lists a chain as "role CN, role CN" for failure messages.
func describe(chain []Cert) string {
	var parts []string
	for _, c := range chain {
		parts = append(parts, fmt.Sprintf("%s %s", c.Role, c.Subject.CommonName))
	}
	return strings.Join(parts, ", ")
}

// crossSigned is the PKI of a root rollover: the new root, also
// cross-signed by the old one so that old clients can reach it.
type crossSigned struct {
	oldRoot, newRoot, cross, inter, leaf *fixture.Cert
}

func newCrossSigned(t *testing.T, newRootDays, crossDays float64) crossSigned {
	t.Helper()
	var k crossSigned
	k.oldRoot = testutil.NewCert(t, fixture.CertOptions{CN: "Old Root", IsCA: true, NotAfter: fixture.InDays(3650)})
	k.newRoot = testutil.NewCert(t, fixture.CertOptions{CN: "New Root", IsCA: true, NotAfter: fixture.InDays(newRootDays)})
	k.cross = testutil.NewCert(t, fixture.CertOptions{Subject: &k.newRoot.Subject, Key: k.newRoot.Key, IsCA: true,
		Issuer: k.oldRoot, NotAfter: fixture.InDays(crossDays)})
	k.inter = testutil.NewCert(t, fixture.CertOptions{CN: "New Intermediate", IsCA: true, Issuer: k.newRoot, NotAfter: fixture.InDays(1000)})
	k.leaf = testutil.NewCert(t, fixture.CertOptions{CN: "localhost", DNS: []string{"localhost"},
		IPs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, Issuer: k.inter, NotAfter: fixture.InDays(60)})
	if !bytes.Equal(k.cross.RawSubject, k.newRoot.RawSubject) || !bytes.Equal(k.cross.SubjectKeyId, k.newRoot.SubjectKeyId) {
		t.Fatal("the cross-sign does not stand in for the new root")
	}
	return k
}

func TestSelectCrossSigned(t *testing.T) {
	// The cross-sign expires in 5 days, the rest lasts.
	k := newCrossSigned(t, 3650, 5)
	// The new root expires in 5 days, its cross-sign lasts.
	short := newCrossSigned(t, 5, 1000)
	for _, tc := range []struct {
		name       string
		k          crossSigned
		roots      func(crossSigned) *x509.CertPool
		wantChain  string
		wantUnused string
		earliest   func(crossSigned) *fixture.Cert
	}{
		{
			// Clients that trust the new root never use the cross-sign:
			// its expiry must not decide.
			name:       "both roots trusted",
			k:          k,
			roots:      func(k crossSigned) *x509.CertPool { return pool(k.oldRoot, k.newRoot) },
			wantChain:  "leaf localhost, intermediate New Intermediate, root New Root",
			wantUnused: "intermediate New Root",
			earliest:   func(k crossSigned) *fixture.Cert { return k.leaf },
		},
		{
			name:       "new root trusted",
			k:          k,
			roots:      func(k crossSigned) *x509.CertPool { return pool(k.newRoot) },
			wantChain:  "leaf localhost, intermediate New Intermediate, root New Root",
			wantUnused: "intermediate New Root",
			earliest:   func(k crossSigned) *fixture.Cert { return k.leaf },
		},
		{
			// Only the old root: the cross-sign is the way there, and
			// its expiry is the one that matters.
			name:      "only the old root trusted",
			k:         k,
			roots:     func(k crossSigned) *x509.CertPool { return pool(k.oldRoot) },
			wantChain: "leaf localhost, intermediate New Intermediate, intermediate New Root, root Old Root",
			earliest:  func(k crossSigned) *fixture.Cert { return k.cross },
		},
		{
			// The longer chain lasts longer: clients that have the old
			// root are served after the new root expires.
			name:      "both trusted, the new root expires first",
			k:         short,
			roots:     func(k crossSigned) *x509.CertPool { return pool(k.oldRoot, k.newRoot) },
			wantChain: "leaf localhost, intermediate New Intermediate, intermediate New Root, root Old Root",
			earliest:  func(k crossSigned) *fixture.Cert { return k.leaf },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.k
			presented := x509s(k.leaf, k.inter, k.cross)
			served := Select(presented, Policy{Roots: tc.roots(k), Name: "localhost", Now: time.Now()})
			if served.VerifyErr != nil {
				t.Fatalf("VerifyErr = %v", served.VerifyErr)
			}
			if got := describe(served.Chain); got != tc.wantChain {
				t.Errorf("Chain = %s\n want %s", got, tc.wantChain)
			}
			if got := describe(served.Unused); got != tc.wantUnused {
				t.Errorf("Unused = %q, want %q", got, tc.wantUnused)
			}
			wantEarliest := tc.earliest(k)
			if got := Earliest(served.Chain); !got.Equal(wantEarliest.Certificate) {
				t.Errorf("the chain's earliest expiry is %s (%s), want %s", got.Subject.CommonName, got.NotAfter, wantEarliest.Subject.CommonName)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 60)
	expired := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", DNS: []string{"localhost"}, Issuer: p.Intermediate,
		NotBefore: fixture.InDays(-90), NotAfter: fixture.InDays(-3)})
	other := testutil.NewPKI(t)
	now := time.Now()
	for _, tc := range []struct {
		name       string
		presented  []*fixture.Cert
		policy     Policy
		wantChain  string
		wantUnused string
		wantErr    func(error) bool
	}{
		{
			name:      "verified",
			presented: []*fixture.Cert{leaf, p.Intermediate},
			policy:    Policy{Roots: pool(p.Root), Name: "localhost", Now: now},
			wantChain: "leaf localhost, intermediate Test Intermediate, root Test Root",
		},
		{
			name:      "server sends its root too",
			presented: []*fixture.Cert{leaf, p.Intermediate, p.Root},
			policy:    Policy{Roots: pool(p.Root), Now: now},
			wantChain: "leaf localhost, intermediate Test Intermediate, root Test Root",
		},
		{
			name:       "unrelated certificate sent",
			presented:  []*fixture.Cert{leaf, other.Intermediate, p.Intermediate},
			policy:     Policy{Roots: pool(p.Root), Now: now},
			wantChain:  "leaf localhost, intermediate Test Intermediate, root Test Root",
			wantUnused: "intermediate Test Intermediate",
		},
		{
			name:      "IPv4 name",
			presented: []*fixture.Cert{leaf, p.Intermediate},
			policy:    Policy{Roots: pool(p.Root), Name: "127.0.0.1", Now: now},
			wantChain: "leaf localhost, intermediate Test Intermediate, root Test Root",
		},
		{
			name:      "IPv6 name",
			presented: []*fixture.Cert{leaf, p.Intermediate},
			policy:    Policy{Roots: pool(p.Root), Name: "::1", Now: now},
			wantChain: "leaf localhost, intermediate Test Intermediate, root Test Root",
		},
		{
			name:      "unknown authority keeps the presented certificates",
			presented: []*fixture.Cert{leaf, p.Intermediate},
			policy:    Policy{Roots: pool(other.Root), Name: "localhost", Now: now},
			wantChain: "leaf localhost, intermediate Test Intermediate",
			wantErr:   func(err error) bool { return errors.As(err, new(x509.UnknownAuthorityError)) },
		},
		{
			name:      "missing intermediate",
			presented: []*fixture.Cert{leaf},
			policy:    Policy{Roots: pool(p.Root), Now: now},
			wantChain: "leaf localhost",
			wantErr:   func(err error) bool { return errors.As(err, new(x509.UnknownAuthorityError)) },
		},
		{
			name:      "hostname mismatch",
			presented: []*fixture.Cert{leaf, p.Intermediate},
			policy:    Policy{Roots: pool(p.Root), Name: "www.example.test", Now: now},
			wantChain: "leaf localhost, intermediate Test Intermediate, root Test Root",
			wantErr:   func(err error) bool { return errors.As(err, new(x509.HostnameError)) },
		},
		{
			name:      "IP mismatch",
			presented: []*fixture.Cert{leaf, p.Intermediate},
			policy:    Policy{Roots: pool(p.Root), Name: "127.0.0.2", Now: now},
			wantChain: "leaf localhost, intermediate Test Intermediate, root Test Root",
			wantErr:   func(err error) bool { return errors.As(err, new(x509.HostnameError)) },
		},
		{
			name:      "expired leaf",
			presented: []*fixture.Cert{expired, p.Intermediate},
			policy:    Policy{Roots: pool(p.Root), Name: "localhost", Now: now},
			wantChain: "leaf localhost, intermediate Test Intermediate",
			wantErr:   expiredErr,
		},
		{
			name:      "verified at Now",
			presented: []*fixture.Cert{leaf, p.Intermediate},
			policy:    Policy{Roots: pool(p.Root), Now: now.Add(61 * 24 * time.Hour)},
			wantChain: "leaf localhost, intermediate Test Intermediate",
			wantErr:   expiredErr,
		},
		{
			name:      "no verification",
			presented: []*fixture.Cert{leaf, p.Intermediate, p.Root},
			policy:    Policy{Roots: pool(other.Root), Name: "www.example.test", NoVerify: true},
			wantChain: "leaf localhost, intermediate Test Intermediate, root Test Root",
		},
		{
			name:      "no verification, a self-signed CA sent alone is the leaf",
			presented: []*fixture.Cert{p.Root},
			policy:    Policy{NoVerify: true},
			wantChain: "leaf Test Root",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			served := Select(x509s(tc.presented...), tc.policy)
			switch {
			case tc.wantErr == nil && served.VerifyErr != nil:
				t.Errorf("VerifyErr = %v, want none", served.VerifyErr)
			case tc.wantErr != nil && (served.VerifyErr == nil || !tc.wantErr(served.VerifyErr)):
				t.Errorf("VerifyErr = %v (%T), not the error expected", served.VerifyErr, served.VerifyErr)
			}
			if got := describe(served.Chain); got != tc.wantChain {
				t.Errorf("Chain = %s\n want %s", got, tc.wantChain)
			}
			if got := describe(served.Unused); got != tc.wantUnused {
				t.Errorf("Unused = %q, want %q", got, tc.wantUnused)
			}
			// The days left are never lost: the leaf is always on Chain.
			if len(served.Chain) == 0 || !served.Chain[0].Equal(tc.presented[0].Certificate) {
				t.Errorf("Chain does not start with the presented leaf")
			}
		})
	}
}

func TestSelectNothingPresented(t *testing.T) {
	for _, noVerify := range []bool{false, true} {
		served := Select(nil, Policy{NoVerify: noVerify})
		if served.VerifyErr == nil || served.VerifyErr.Error() != "the server presented no certificate" || len(served.Chain) != 0 {
			t.Errorf("Select(nil, NoVerify: %v) = %+v, want no chain and an error saying nothing was presented", noVerify, served)
		}
	}
}

func expiredErr(err error) bool {
	var inv x509.CertificateInvalidError
	return errors.As(err, &inv) && inv.Reason == x509.Expired
}

func TestExpiryFailure(t *testing.T) {
	p := testutil.NewPKI(t)
	judged := []Cert{{Certificate: p.Intermediate.Certificate, Role: Intermediate}}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"expired", x509.CertificateInvalidError{Reason: x509.Expired}, true},
		{"a judged certificate expired", x509.CertificateInvalidError{Cert: p.Intermediate.Certificate, Reason: x509.Expired}, true},
		// An anchor the server did not send is not judged: its expiry
		// must be said.
		{"an anchor expired", x509.CertificateInvalidError{Cert: p.Root.Certificate, Reason: x509.Expired}, false},
		{"wrapped", fmt.Errorf("verify: %w", x509.CertificateInvalidError{Reason: x509.Expired, Detail: "x"}), true},
		{"other invalidity", x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign}, false},
		{"unknown authority", x509.UnknownAuthorityError{}, false},
		{"hostname", x509.HostnameError{Host: "x"}, false},
		{"plain", errors.New("certificate has expired"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExpiryFailure(tc.err, judged); got != tc.want {
				t.Errorf("ExpiryFailure(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// An expired anchor the server did not send is added to the chain judged,
// marked NotSent: whether Go named it or, every certificate having
// expired, named the leaf.
func TestSelectAddsExpiredAnchor(t *testing.T) {
	now := time.Now()
	root := testutil.NewCert(t, fixture.CertOptions{CN: "Old Root", IsCA: true, NotBefore: fixture.InDays(-3650), NotAfter: fixture.InDays(-20)})
	for _, tc := range []struct {
		name      string
		leafAfter float64
	}{{"the rest valid", 40}, {"everything expired", -5}} {
		t.Run(tc.name, func(t *testing.T) {
			inter := testutil.NewCert(t, fixture.CertOptions{CN: "CA", IsCA: true, Issuer: root, NotBefore: fixture.InDays(-3000), NotAfter: fixture.InDays(tc.leafAfter + 10)})
			leaf := testutil.NewCert(t, fixture.CertOptions{CN: "leaf", Issuer: inter, NotBefore: fixture.InDays(-400), NotAfter: fixture.InDays(tc.leafAfter)})
			s := Select(x509s(leaf, inter), Policy{Roots: pool(root), Now: now})
			if s.VerifyErr == nil {
				t.Fatal("verified with an expired root")
			}
			last := s.Chain[len(s.Chain)-1]
			if len(s.Chain) != 3 || !last.Equal(root.Certificate) || !last.NotSent || last.Role != Root {
				t.Errorf("chain %s, want the root last, not sent", describe(s.Chain))
			}
		})
	}
	// A valid anchor is not added: the chain failed on the leaf alone.
	p := testutil.NewPKI(t)
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "leaf", Issuer: p.Intermediate, NotBefore: fixture.InDays(-100), NotAfter: fixture.InDays(-1)})
	if s := Select(x509s(leaf, p.Intermediate), Policy{Roots: pool(p.Root), Now: now}); len(s.Chain) != 2 {
		t.Errorf("chain %s, want the presented certificates only", describe(s.Chain))
	}
}
