package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// A key or a signature that today's clients refuse is an outage however
// long the certificate has left: the binary reads such chains for their
// days (rsa1024min=0, tlssha1=1), and must not call them OK.
func TestRefusedKeyOrSignature(t *testing.T) {
	e := newEnv(t)
	rsaLeaf := func(bits int, days float64) *fixture.Cert {
		return testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: e.pki.Intermediate,
			RSABits: bits, NotAfter: fixture.InDays(days)})
	}
	const everyone = "which browsers, Go and OpenSSL clients refuse"

	t.Run("512-bit RSA leaf", func(t *testing.T) {
		// A key this short cannot sign with RSA-PSS, which TLS 1.3 requires.
		addr := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{rsaLeaf(512, 729.5), e.pki.Intermediate}, MaxVersion: tls.VersionTLS12}).Addr
		want := []string{"TLS CRITICAL: " + addr + " leaf CN=localhost (issuer Test Intermediate) has a 512-bit RSA key, " + everyone, "expires in 729 days"}
		run(t, "-H", addr, "--ca-file", e.caFile).Expect(t, 2, want...)
		// Skipping verification does not make clients accept the key.
		run(t, "-H", addr, "--no-verify").Expect(t, 2, want...)
	})
	t.Run("512-bit RSA leaf in a file", func(t *testing.T) {
		path := testutil.WriteFile(t, "weak.pem", fixture.PEM(rsaLeaf(512, 729.5)))
		run(t, "-f", path).Expect(t, 2, "TLS CRITICAL: "+path+" leaf CN=localhost (issuer Test Intermediate) has a 512-bit RSA key", "expires in 729 days")
	})
	t.Run("1024-bit RSA leaf", func(t *testing.T) {
		addr := testutil.ServeChain(t, rsaLeaf(1024, 300.5), e.pki.Intermediate)
		run(t, "-H", addr, "--ca-file", e.caFile).Expect(t, 1,
			"TLS WARNING: "+addr+" leaf CN=localhost (issuer Test Intermediate) has a 1024-bit RSA key, which OpenSSL clients refuse at their default security level", "expires in 300 days")
	})
	t.Run("2048-bit RSA leaf", func(t *testing.T) {
		addr := testutil.ServeChain(t, rsaLeaf(2048, 300.5), e.pki.Intermediate)
		run(t, "-H", addr, "--ca-file", e.caFile).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 300 days")
	})
	t.Run("SHA-1 certificate signature", func(t *testing.T) {
		inter := testutil.NewCert(t, fixture.CertOptions{CN: "Legacy Intermediate", IsCA: true, Issuer: e.pki.Root, NotAfter: fixture.InDays(1000)})
		addr := testutil.ServeChain(t, loopbackLeaf(t, inter, 40.5, x509.ECDSAWithSHA1), inter)
		want := "TLS CRITICAL: " + addr + " leaf CN=localhost (issuer Legacy Intermediate) is signed with ECDSA-SHA1, " + everyone
		run(t, "-H", addr, "--ca-file", e.caFile).Expect(t, 2, want, "expires in 40 days")
		run(t, "-H", addr, "--no-verify").Expect(t, 2, want, "expires in 40 days")
	})
	t.Run("SHA-1 handshake signature", func(t *testing.T) {
		srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, e.pki, 200.5), e.pki.Intermediate},
			MaxVersion: tls.VersionTLS12, SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithSHA1}})
		run(t, "-H", srv.Addr, "--ca-file", e.caFile).Expect(t, 2,
			"TLS CRITICAL: "+srv.Addr+" leaf CN=localhost (issuer Test Intermediate) signs the TLS 1.2 handshake with ECDSA-SHA1, "+everyone, "expires in 200 days")
	})
}
