package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func runFiles(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, testutil.Binary(t, "check-tls-expiry"), nil, args...)
}

func fifo(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A device is refused, not read until memory runs out.
func TestFileDevZero(t *testing.T) {
	runFiles(t, "-f", "/dev/zero").Expect(t, 3, "TLS UNKNOWN: /dev/zero is a device, not a regular file")
}

// A FIFO would block until a writer came: it is refused at once, whatever
// option names it.
func TestFileFIFO(t *testing.T) {
	p := testutil.NewPKI(t)
	addr := testutil.ServeChain(t, testutil.Leaf(t, p, 60), p.Intermediate)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(p.Root))
	for _, tc := range []struct {
		name string
		args func(path string) []string
	}{
		{"-f", func(path string) []string { return []string{"-f", path} }},
		{"--ca-file", func(path string) []string { return []string{"-H", addr, "--ca-file", path} }},
		{"--expect-file", func(path string) []string { return []string{"-H", addr, "--ca-file", caFile, "--expect-file", path} }},
		{"--cert-file", func(path string) []string {
			return []string{"-H", addr, "--ca-file", caFile, "--cert-file", path, "--key-file", path}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := fifo(t, "cert.pem")
			res := runFiles(t, append([]string{"-t", "2"}, tc.args(path)...)...)
			res.Expect(t, 3, path+" is a FIFO, not a regular file")
			if strings.Contains(res.Stdout, "timed out") {
				t.Errorf("the FIFO was waited on, not refused:\n%s", res.Stdout)
			}
		})
	}
}

// An expired certificate beside one Go cannot parse is still judged.
func TestFileExpiredBesideUnparseable(t *testing.T) {
	expired := testutil.NewCert(t, fixture.CertOptions{CN: "expired.example", NotBefore: fixture.InDays(-100), NotAfter: fixture.InDays(-10)})
	corrupt := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	path := testutil.WriteFile(t, "bundle.pem", append(fixture.PEM(expired), corrupt...))
	runFiles(t, "-f", path).Expect(t, 2, "TLS CRITICAL: "+path+" leaf CN=expired.example (self-signed) expired 10 days ago",
		"\nTLS UNKNOWN: "+path+": PEM block 2 is not a valid certificate")
	// Beside a certificate that is only WARNING, the damaged block's
	// UNKNOWN leads, and the certificate is still judged.
	healthy := testutil.NewCert(t, fixture.CertOptions{CN: "healthy.example", NotAfter: fixture.InDays(200.5)})
	path = testutil.WriteFile(t, "mixed.pem", append(fixture.PEM(healthy), corrupt...))
	runFiles(t, "-f", path, "-w", "300").Expect(t, 3, "TLS UNKNOWN: "+path+": PEM block 2", "\nTLS WARNING: "+path+" leaf CN=healthy.example")
}

func TestFileTrustedCertificate(t *testing.T) {
	p := testutil.NewPKI(t)
	aux, err := asn1.Marshal(struct {
		Trust []asn1.ObjectIdentifier
		Alias string `asn1:"utf8"`
	}{[]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}}, "test root"})
	if err != nil {
		t.Fatal(err)
	}
	block := pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, p.Root.Raw...), aux...)})
	path := testutil.WriteFile(t, "root.pem", block)
	runFiles(t, "-f", path).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 3649 days ("+path+" root, ")
}

// OpenSSL still reads the old "X509 CERTIFICATE" header, so a server may
// load and serve a certificate written with it: an intermediate in such
// a block, expiring first, is what the check must report.
func TestFileOldX509Header(t *testing.T) {
	p := testutil.NewPKI(t)
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "Old Header Intermediate", IsCA: true, Issuer: p.Root, NotAfter: fixture.InDays(4.5)})
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "healthy.example", Issuer: inter, NotAfter: fixture.InDays(300.5)})
	old := pem.EncodeToMemory(&pem.Block{Type: "X509 CERTIFICATE", Bytes: inter.Raw})
	path := testutil.WriteFile(t, "fullchain.pem", append(fixture.PEM(leaf), old...))
	runFiles(t, "-f", path).Expect(t, 2, "TLS CRITICAL: "+path+" intermediate CN=Old Header Intermediate", "expires in 4 days")
}

// A name with glob characters that exists is read as it is.
func TestFileNameWithBrackets(t *testing.T) {
	p := testutil.NewPKI(t)
	path := testutil.WriteFile(t, "cert[1].pem", fixture.PEM(testutil.Leaf(t, p, 5.5)))
	runFiles(t, "-f", path).Expect(t, 2, "TLS CRITICAL: "+path+" leaf CN=localhost", "expires in 5 days")
}

// A legacy listener offering only RSA key exchange, which Go leaves out of
// its defaults, still shows how long its certificate has left.
func TestLegacyRSAKeyExchange(t *testing.T) {
	p := testutil.NewPKI(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: p.Intermediate, Key: key, NotAfter: fixture.InDays(21.5)})
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{leaf, p.Intermediate}, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}})
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(p.Root))
	runFiles(t, "-H", srv.Addr, "--ca-file", caFile).Expect(t, 1, "TLS WARNING: "+srv.Addr, "leaf CN=localhost (issuer Test Intermediate) expires in 21 days")
}

func TestThresholdMinutes(t *testing.T) {
	for _, arg := range []string{"2m", "90s"} {
		first := runFiles(t, "-f", "/nonexistent.pem", "-w", arg).Expect(t, 3, "TLS UNKNOWN: ")
		if !strings.Contains(first, arg) || !strings.Contains(first, "36h") {
			t.Errorf("-w %s: %q, want a usage error naming it and suggesting days or hours", arg, first)
		}
	}
}

// A certificate with a negative serial, which Go refuses by default, is
// read for its dates: this binary sets x509negativeserial=1.
func TestFileNegativeSerial(t *testing.T) {
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "old-ca.example", NotAfter: fixture.InDays(5.5)})
	der := append([]byte{}, leaf.Raw...)
	var cert struct{ TBS, Alg, Sig asn1.RawValue }
	var version, serial asn1.RawValue
	rest, err := asn1.Unmarshal(der, &cert)
	if err == nil && len(rest) == 0 {
		rest, err = asn1.Unmarshal(cert.TBS.Bytes, &version)
	}
	if err == nil {
		_, err = asn1.Unmarshal(rest, &serial)
	}
	if err != nil || serial.Tag != asn1.TagInteger {
		t.Fatalf("finding the serial: %v", err)
	}
	serial.Bytes[0] |= 0x80 // the slices share der: the serial turns negative in place
	// This test process carries the package's //go:debug lines too.
	if c, err := x509.ParseCertificate(der); err != nil || c.SerialNumber.Sign() >= 0 {
		t.Fatalf("the rewritten certificate: %v, want a negative serial", err)
	}
	path := testutil.WriteFile(t, "negative.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	runFiles(t, "-f", path).Expect(t, 2, "TLS CRITICAL: "+path+" leaf CN=old-ca.example", "expires in 5 days")
}

// A --ca-file with a damaged block still lends the anchors that parse: the
// endpoint is judged against them, and the damaged block is its own line.
func TestCAFileWithADamagedBlock(t *testing.T) {
	p := testutil.NewPKI(t)
	addr := testutil.ServeChain(t, testutil.Leaf(t, p, 5.5), p.Intermediate)
	corrupt := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	caFile := testutil.WriteFile(t, "ca.pem", append(fixture.PEM(p.Root), corrupt...))
	runFiles(t, "-H", addr, "--ca-file", caFile).Expect(t, 2,
		"TLS CRITICAL: "+addr+" leaf CN=localhost (issuer Test Intermediate) expires in 5 days",
		"\nTLS UNKNOWN: --ca-file "+caFile+": PEM block 2 is not a valid certificate")
}

// A healthy certificate beside a block Go cannot parse: the block is
// UNKNOWN, and the line still gives the healthy certificate's days.
func TestFileHealthyBesideUnparsable(t *testing.T) {
	healthy := testutil.NewCert(t, fixture.CertOptions{CN: "healthy.example", NotAfter: fixture.InDays(200.5)})
	other := testutil.NewCert(t, fixture.CertOptions{CN: "other.example", NotAfter: fixture.InDays(300.5)})
	path := testutil.WriteFile(t, "mixed.pem", append(fixture.PEM(healthy), fixture.UnparsablePEM(other)...))
	runFiles(t, "-f", path).Expect(t, 3, "TLS UNKNOWN: "+path+": PEM block 2 is not a valid certificate: invalid version; leaf CN=healthy.example (self-signed) expires in 200 days (")
}

// The same damaged roots given as --ca-file or as the system store
// (SSL_CERT_FILE) give the same verdict: the chain is not verified, and
// the failure names the block that could not be read.
func TestDamagedAnchorsAgree(t *testing.T) {
	p := testutil.NewPKI(t)
	addr := testutil.ServeChain(t, testutil.Leaf(t, p, 40.5), p.Intermediate)
	path := testutil.WriteFile(t, "roots.pem", fixture.UnparsablePEM(p.Root))
	isolated(t, nil, "-H", addr, "--ca-file", path).Expect(t, 2,
		"TLS CRITICAL: "+addr+" verification failed: no chain to a trusted root, and --ca-file "+path+": PEM block 1 is not a valid certificate: invalid version; leaf CN=localhost (issuer Test Intermediate) expires in 40 days")
	testutil.Run(t, testutil.Binary(t, "check-tls-expiry"), []string{"SSL_CERT_FILE=" + path, "SSL_CERT_DIR=" + t.TempDir()}, "-H", addr).Expect(t, 2,
		"TLS CRITICAL: "+addr+" verification failed: no chain to a trusted root, and the system trust store "+path+": certificate 1 is not a valid certificate: invalid version; leaf CN=localhost (issuer Test Intermediate) expires in 40 days")
}
