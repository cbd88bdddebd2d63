package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// A handshake that fails after the certificates arrived keeps their days
// left, with the reason.
func TestHandshakeFailureKeepsDaysLeft(t *testing.T) {
	e := newEnv(t)
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The handshake is signed with a key that is not the leaf's.
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, e.pki, 40.5), e.pki.Intermediate}, SigningKey: other})
	run(t, "-H", srv.Addr, "--ca-file", e.caFile).Expect(t, 2, "TLS CRITICAL: "+srv.Addr+": tls: ", "signature",
		"; leaf CN=localhost (issuer Test Intermediate) expires in 40 days")
}

// An mTLS server that rejects our client certificate: the message says the
// server refused, and why, with the days its own certificate has left.
func TestServerRefusesClientCertificate(t *testing.T) {
	e := newEnv(t)
	trusted := testutil.NewCert(t, fixture.CertOptions{CN: "Client CA", IsCA: true})
	pool := x509.NewCertPool()
	pool.AddCert(trusted.Certificate)
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, e.pki, 50.5), e.pki.Intermediate}, ClientCAs: pool, MaxVersion: tls.VersionTLS12})
	otherCA := testutil.NewCert(t, fixture.CertOptions{CN: "Other CA", IsCA: true})
	client := testutil.NewCert(t, fixture.CertOptions{CN: "monitor", Issuer: otherCA})
	cert := testutil.WriteFile(t, "client.pem", fixture.PEM(client))
	key := testutil.WriteFile(t, "client.key", client.KeyPEM())
	res := run(t, "-H", srv.Addr, "--ca-file", e.caFile, "--cert-file", cert, "--key-file", key)
	res.Expect(t, 2, "TLS CRITICAL: "+srv.Addr+": tls: the server refused the handshake: ",
		"it did not accept the client certificate it was given", "; leaf CN=localhost (issuer Test Intermediate) expires in 50 days")
}

// A long name is shortened; the days and the threshold stay on the first
// line whatever it is.
func TestLongNameKeepsTheVerdict(t *testing.T) {
	long := strings.Repeat("a", 300) + ".example"
	c := testutil.NewCert(t, fixture.CertOptions{CN: long, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, NotAfter: fixture.InDays(5.5)})
	path := testutil.WriteFile(t, "long.pem", fixture.PEM(c))
	first := runFiles(t, "-f", path).Expect(t, 2, "TLS CRITICAL: "+path+" leaf CN="+strings.Repeat("a", 60)+"…")
	if !strings.HasSuffix(first, "critical below 14 days") || !strings.Contains(first, "expires in 5 days") {
		t.Errorf("the verdict is cut from the first line: %q", first)
	}
}

// An unreadable --expect-file is reported while the endpoint is down too.
func TestExpectFileUnreadableWhileDown(t *testing.T) {
	addr := testutil.ClosedAddr(t)
	gone := filepath.Join(t.TempDir(), "gone.pem")
	run(t, "-H", addr, "--expect-file", gone).Expect(t, 2, "TLS CRITICAL: "+addr+": connect: connection refused",
		"\nTLS UNKNOWN: "+addr+": --expect-file: cannot read "+gone)
}

// -v says an unused certificate that has expired expired; it does not
// say "expiring" a past date.
func TestVerboseUnusedExpired(t *testing.T) {
	oldRoot := testutil.NewCert(t, fixture.CertOptions{CN: "Old Root", IsCA: true, NotAfter: fixture.InDays(365)})
	newRoot := testutil.NewCert(t, fixture.CertOptions{CN: "New Root", IsCA: true, NotAfter: fixture.InDays(3650)})
	subject := newRoot.Subject
	cross := testutil.NewCert(t, fixture.CertOptions{Subject: &subject, Key: newRoot.Key, IsCA: true, Issuer: oldRoot, NotBefore: fixture.InDays(-400), NotAfter: fixture.InDays(-4.5)})
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "Issuing CA", IsCA: true, Issuer: newRoot, NotAfter: fixture.InDays(1000)})
	addr := testutil.ServeChain(t, loopbackLeaf(t, inter, 70.5, 0), inter, cross)
	ca := testutil.WriteFile(t, "roots.pem", fixture.PEM(newRoot))
	res := run(t, "-H", addr, "--ca-file", ca, "-v")
	res.Expect(t, 0, "not on the verified chain, not judged: intermediate CN=New Root (issuer Old Root) expired "+stamp(cross))
	if strings.Contains(res.Stdout, "expiring") {
		t.Errorf("an expired certificate said to be expiring:\n%s", res.Stdout)
	}
}

func stamp(c *fixture.Cert) string { return c.NotAfter.UTC().Format("2006-01-02T15:04:05Z07:00") }
