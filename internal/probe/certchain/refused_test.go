//go:debug rsa1024min=0

package certchain

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestRefused(t *testing.T) {
	p := testutil.NewPKI(t)
	legacyRoot := testutil.NewCert(t, fixture.CertOptions{CN: "Legacy Root", IsCA: true, SignatureAlgorithm: x509.ECDSAWithSHA1})
	for _, tc := range []struct {
		name   string
		cert   *fixture.Cert
		status check.Status
		want   string
	}{
		{"RSA-512", testutil.NewCert(t, fixture.CertOptions{CN: "a", Issuer: p.Intermediate, RSABits: 512}), check.CRITICAL, "has a 512-bit RSA key, which browsers, Go and OpenSSL clients refuse"},
		{"RSA-1024", testutil.NewCert(t, fixture.CertOptions{CN: "b", Issuer: p.Intermediate, RSABits: 1024}), check.WARNING, "has a 1024-bit RSA key, which OpenSSL clients refuse at their default security level"},
		{"RSA-2048", testutil.NewCert(t, fixture.CertOptions{CN: "c", Issuer: p.Intermediate, RSABits: 2048}), check.OK, ""},
		{"SHA-1 signature", testutil.NewCert(t, fixture.CertOptions{CN: "d", Issuer: p.Intermediate, SignatureAlgorithm: x509.ECDSAWithSHA1}), check.CRITICAL, "is signed with ECDSA-SHA1"},
		// An anchor's own signature is never checked.
		{"self-signed with SHA-1", legacyRoot, check.OK, ""},
		{"P-256", p.Intermediate, check.OK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Refused(tc.cert.Certificate)
			switch {
			case tc.status == check.OK && r != nil:
				t.Errorf("refused: %+v", r)
			case tc.status != check.OK && (r == nil || r.Status != tc.status || !strings.HasPrefix(r.Text, tc.want)):
				t.Errorf("got %+v, want %s %q", r, tc.status, tc.want)
			}
		})
	}
}

func TestRefusedHandshake(t *testing.T) {
	for scheme, want := range map[tls.SignatureScheme]string{tls.PKCS1WithSHA1: "SHA1-RSA", tls.ECDSAWithSHA1: "ECDSA-SHA1"} {
		if r := RefusedHandshake(scheme); r == nil || r.Status != check.CRITICAL || !strings.Contains(r.Text, "TLS 1.2 handshake with "+want+",") {
			t.Errorf("%v: %+v", scheme, r)
		}
	}
	for _, scheme := range []tls.SignatureScheme{0, tls.PKCS1WithSHA256, tls.ECDSAWithP256AndSHA256, tls.PSSWithSHA256} {
		if r := RefusedHandshake(scheme); r != nil {
			t.Errorf("%v refused: %+v", scheme, r)
		}
	}
}
