package certchain

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestExplain(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30)
	presented := []*x509.Certificate{leaf.Certificate, p.Intermediate.Certificate}
	decoy := testutil.NewCert(t, fixture.CertOptions{CN: "Test Intermediate", IsCA: true, Issuer: p.Root})
	// Go's own diagnosis of a same-named issuer with another key.
	_, badSig := leaf.Verify(x509.VerifyOptions{Roots: pool(p.Root), Intermediates: pool(decoy)})
	_, unknown := leaf.Verify(x509.VerifyOptions{Roots: pool(), Intermediates: pool()})
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"unknown CA", unknown, "no chain to a trusted root (an unknown CA"},
		{"store unreadable", &storeFailure{unknown, &StoreError{Path: "/etc/ssl/certs", Err: errors.New("permission denied")}},
			"no chain to a trusted root, and cannot read the system trust store /etc/ssl/certs: permission denied"},
		{"bad signature", badSig, "the signature on leaf CN=localhost does not verify with the key of CN=Test Intermediate"},
		{"expired anchor", x509.CertificateInvalidError{Cert: p.Root.Certificate, Reason: x509.Expired, Detail: "current time x is after y"},
			"root CN=Test Root expired " + stamp(p.Root) + " (a trust anchor the server does not send"},
		{"hostname", x509.HostnameError{Certificate: leaf.Certificate, Host: "a.test"}, "hostname mismatch: certificate is valid for"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Explain(tc.err, presented); !strings.HasPrefix(got, tc.want) {
				t.Errorf("Explain(%v) = %q, want prefix %q", tc.err, got, tc.want)
			}
		})
	}
}

func stamp(c *fixture.Cert) string { return c.NotAfter.UTC().Format("2006-01-02T15:04:05Z07:00") }
