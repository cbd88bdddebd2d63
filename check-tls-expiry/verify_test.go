package main

import (
	"crypto/x509"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// isolated runs the check with a system trust store of the given roots
// only (none when empty), so that nothing on the machine takes part.
func isolated(t *testing.T, roots []*fixture.Cert, args ...string) testutil.Result {
	t.Helper()
	env := []string{"SSL_CERT_FILE=" + testutil.WriteFile(t, "system.pem", fixture.PEM(roots...)), "SSL_CERT_DIR=" + t.TempDir()}
	return testutil.Run(t, testutil.Binary(t, "check-tls-expiry"), env, args...)
}

func loopbackLeaf(t *testing.T, issuer *fixture.Cert, days float64, alg x509.SignatureAlgorithm) *fixture.Cert {
	t.Helper()
	return testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: issuer,
		NotAfter: fixture.InDays(days), SignatureAlgorithm: alg})
}

// The sentence about an unknown CA is kept for an unknown CA; otherwise
// the message says what Go found, and names the certificate.
func TestVerificationSaysWhatGoFound(t *testing.T) {
	const unknownCA = "an unknown CA, or the server does not send its intermediate"
	p := testutil.NewPKI(t)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(p.Root))

	t.Run("sha1", func(t *testing.T) {
		inter := testutil.NewCert(t, fixture.CertOptions{CN: "Legacy Intermediate", IsCA: true, Issuer: p.Root, NotAfter: fixture.InDays(1000)})
		addr := testutil.ServeChain(t, loopbackLeaf(t, inter, 40.5, x509.ECDSAWithSHA1), inter)
		res := isolated(t, nil, "-H", addr, "--ca-file", caFile)
		res.Expect(t, 2, "leaf CN=localhost (issuer Legacy Intermediate) is signed with ECDSA-SHA1", "expires in 40 days")
		if strings.Contains(res.Stdout, unknownCA) {
			t.Errorf("an insecure signature reported as an unknown CA:\n%s", res.Stdout)
		}
	})
	t.Run("intermediate without the CA bit", func(t *testing.T) {
		notCA := testutil.NewCert(t, fixture.CertOptions{CN: "Not A CA", Issuer: p.Root, NotAfter: fixture.InDays(1000)})
		addr := testutil.ServeChain(t, loopbackLeaf(t, notCA, 40.5, 0), notCA)
		res := isolated(t, nil, "-H", addr, "--ca-file", caFile)
		res.Expect(t, 2, "verification failed: ", "CN=Not A CA", "may not issue certificates", "expires in 40 days")
		if strings.Contains(res.Stdout, unknownCA) {
			t.Errorf("a non-CA issuer reported as an unknown CA:\n%s", res.Stdout)
		}
	})
	t.Run("bad signature by a same-named intermediate", func(t *testing.T) {
		decoy := testutil.NewCert(t, fixture.CertOptions{CN: "Test Intermediate", IsCA: true, Issuer: p.Root, NotAfter: fixture.InDays(1000)})
		addr := testutil.ServeChain(t, testutil.Leaf(t, p, 40.5), decoy)
		res := isolated(t, nil, "-H", addr, "--ca-file", caFile)
		res.Expect(t, 2, "verification failed: the signature on leaf CN=localhost does not verify with the key of CN=Test Intermediate", "expires in 40 days")
		if strings.Contains(res.Stdout, unknownCA) {
			t.Errorf("a bad signature reported as an unknown CA:\n%s", res.Stdout)
		}
	})
	t.Run("unknown CA", func(t *testing.T) {
		addr := testutil.ServeChain(t, testutil.Leaf(t, p, 40.5), p.Intermediate)
		isolated(t, nil, "-H", addr).Expect(t, 2, "verification failed: no chain to a trusted root ("+unknownCA+"; --ca-file adds a private CA)", "expires in 40 days")
	})
	t.Run("unreadable system store", func(t *testing.T) {
		addr := testutil.ServeChain(t, testutil.Leaf(t, p, 40.5), p.Intermediate)
		dir := t.TempDir()
		res := testutil.Run(t, testutil.Binary(t, "check-tls-expiry"), []string{"SSL_CERT_FILE=" + dir, "SSL_CERT_DIR=" + t.TempDir()}, "-H", addr)
		res.Expect(t, 2, "cannot read the system trust store "+dir+": is a directory", "expires in 40 days")
	})
	// A FIFO in the store would block an open for good: it is named as
	// unreadable at once, not reported as a verification still in
	// progress at the deadline.
	t.Run("FIFO as the system store", func(t *testing.T) {
		addr := testutil.ServeChain(t, testutil.Leaf(t, p, 40.5), p.Intermediate)
		fifo := filepath.Join(t.TempDir(), "ca-certificates.crt")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
		res := testutil.Run(t, testutil.Binary(t, "check-tls-expiry"), []string{"SSL_CERT_FILE=" + fifo, "SSL_CERT_DIR=" + t.TempDir()}, "-H", addr, "-t", "5")
		res.Expect(t, 2, "cannot read the system trust store "+fifo+": not a regular file", "expires in 40 days")
	})
}

// An expired anchor the server does not send is named as every expired
// certificate is, and it decides: the leaf's days are not the verdict.
func TestExpiredAnchorIsNamed(t *testing.T) {
	root := testutil.NewCert(t, fixture.CertOptions{CN: "Expired Root", IsCA: true, NotBefore: fixture.InDays(-3650), NotAfter: fixture.InDays(-3.5)})
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "Issuing CA", IsCA: true, Issuer: root, NotAfter: fixture.InDays(1000)})
	addr := testutil.ServeChain(t, loopbackLeaf(t, inter, 40.5, 0), inter)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(root))
	want := "TLS CRITICAL: " + addr + " root CN=Expired Root (self-signed, a trust anchor the server does not send: from --ca-file or the system store) expired 3 days ago (" +
		root.NotAfter.UTC().Format(time.RFC3339) + ")\n"
	for name, res := range map[string]testutil.Result{
		"--ca-file":    isolated(t, nil, "-H", addr, "--ca-file", caFile),
		"system store": isolated(t, []*fixture.Cert{root}, "-H", addr),
	} {
		if first := res.Expect(t, 2, want); strings.Contains(first, "expires in 40 days") {
			t.Errorf("%s: the leaf's days end the line as if they decided: %q", name, first)
		}
	}

	// Every certificate expired: the anchor is named too.
	oldRoot := testutil.NewCert(t, fixture.CertOptions{CN: "Old Root", IsCA: true, NotBefore: fixture.InDays(-3650), NotAfter: fixture.InDays(-20.5)})
	oldInter := testutil.NewCert(t, fixture.CertOptions{CN: "Old CA", IsCA: true, Issuer: oldRoot, NotBefore: fixture.InDays(-3000), NotAfter: fixture.InDays(-10.5)})
	oldLeaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: oldInter,
		NotBefore: fixture.InDays(-400), NotAfter: fixture.InDays(-5.5)})
	addr = testutil.ServeChain(t, oldLeaf, oldInter)
	isolated(t, nil, "-H", addr, "--ca-file", testutil.WriteFile(t, "old.pem", fixture.PEM(oldRoot))).Expect(t, 2,
		"TLS CRITICAL: "+addr+" root CN=Old Root (self-signed, a trust anchor the server does not send: from --ca-file or the system store) expired 20 days ago",
		"\nTLS CRITICAL: "+addr+" intermediate CN=Old CA (issuer Old Root) expired 10 days ago",
		"\nTLS CRITICAL: "+addr+" leaf CN=localhost (issuer Old CA) expired 5 days ago")
}

// An expired cross-sign of a root in --ca-file does not stop the search:
// the system store's own root verifies the chain, and that chain wins.
func TestWiderTrustTierAfterAnotherFailure(t *testing.T) {
	oldRoot := testutil.NewCert(t, fixture.CertOptions{CN: "Old Root", IsCA: true, NotBefore: fixture.InDays(-3650), NotAfter: fixture.InDays(-30)})
	newRoot := testutil.NewCert(t, fixture.CertOptions{CN: "New Root", IsCA: true, NotAfter: fixture.InDays(3650)})
	subject := newRoot.Subject
	cross := testutil.NewCert(t, fixture.CertOptions{Subject: &subject, Key: newRoot.Key, IsCA: true, Issuer: oldRoot,
		NotBefore: fixture.InDays(-3000), NotAfter: fixture.InDays(-30)})
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "Issuing CA", IsCA: true, Issuer: newRoot, NotAfter: fixture.InDays(1000)})
	addr := testutil.ServeChain(t, loopbackLeaf(t, inter, 70.5, 0), inter)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(cross))
	isolated(t, []*fixture.Cert{newRoot}, "-H", addr, "--ca-file", caFile).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 70 days")
}
