package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// decoyChain is a chain that is dear to verify and cheap to make: a leaf
// whose RSA signature is 1024 random bytes, sent with 100 intermediates
// of its issuer's name, each with its own random 8192-bit modulus. x509
// tries every one (up to its limit of 100 signature checks a chain), each
// an RSA-8192 operation, and none verifies. No RSA key is generated but
// a 1024-bit one for the leaf's signature algorithm.
func decoyChains(t *testing.T, n int) [][]*fixture.Cert {
	t.Helper()
	signer, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	issuer := testutil.NewCert(t, fixture.CertOptions{CN: "Decoy CA", IsCA: true, Key: signer})
	root := testutil.NewCert(t, fixture.CertOptions{CN: "Decoy Root", IsCA: true})
	var decoys []*fixture.Cert
	for i := range 100 {
		modulus, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 8192))
		if err != nil {
			t.Fatal(err)
		}
		modulus.SetBit(modulus, 8191, 1).SetBit(modulus, 0, 1)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), RawSubject: issuer.RawSubject,
			NotBefore: fixture.InDays(-1), NotAfter: fixture.InDays(365), BasicConstraintsValid: true, IsCA: true,
			KeyUsage: x509.KeyUsageCertSign}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, root.Certificate, &rsa.PublicKey{N: modulus, E: 65537}, root.Key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		decoys = append(decoys, &fixture.Cert{Certificate: c})
	}
	chains := make([][]*fixture.Cert, n)
	for i := range chains {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		leaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", Issuer: issuer, Key: key, SignatureAlgorithm: x509.SHA256WithRSA})
		var cert struct {
			TBS, Alg asn1.RawValue
			Sig      asn1.BitString
		}
		if _, err := asn1.Unmarshal(leaf.Raw, &cert); err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 1024)
		rand.Read(sig)
		sig[0] = 1 // below any of the moduli
		cert.Sig = asn1.BitString{Bytes: sig, BitLength: len(sig) * 8}
		der, err := asn1.Marshal(cert)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		chains[i] = append([]*fixture.Cert{{Certificate: parsed, Key: key}}, decoys...)
	}
	return chains
}

// Verification is CPU work the deadline cannot interrupt: with many peers
// sending chains dear to verify, the run still ends in time and says what
// it was doing.
func TestVerificationWithinDeadline(t *testing.T) {
	var args []string
	for _, chain := range decoyChains(t, 64) {
		args = append(args, "-H", testutil.ServeChain(t, chain...))
	}
	env := []string{"SSL_CERT_FILE=" + testutil.WriteFile(t, "system.pem", nil), "SSL_CERT_DIR=" + t.TempDir()}
	bin := testutil.Binary(t, "check-tls-expiry")
	fast := testutil.Run(t, bin, env, append([]string{"--no-verify", "-t", "5"}, args...)...)
	// Long enough for a starved machine to have started verifying, far
	// too short for verifying all (over 15 s on two idle cores).
	res := testutil.Run(t, bin, env, append([]string{"-t", "5"}, args...)...)
	t.Logf("--no-verify: %s; verifying: %s\n%s", fast.Elapsed, res.Elapsed, res.Stdout)
	res.ExpectEndedBy(t, 5*time.Second)
	// Unbounded, these 64 chains take over 15 s to verify on two cores.
	// The run's own verdict ("ADDR: verify: timed out") or, when the CPU
	// is too busy for it, the watchdog's ("verify ADDR: still in
	// progress"): either says what was in progress. On a starved machine
	// the handshakes that verification slows are what the message names
	// first ("tls ADDR: still in progress").
	res.Expect(t, 2, "TLS CRITICAL: ")
	if !regexp.MustCompile(`(verify|tls) 127\.0\.0\.1:\d+: still in progress|127\.0\.0\.1:\d+: (verify|tls): timed out`).MatchString(res.Stdout) {
		t.Errorf("the message does not say that verification was in progress:\n%s", res.Stdout)
	}
	// Every target gets its turn: none waits behind another's
	// verification. One whose goroutine a starved machine started but
	// had not yet run ("not checked: time ran out") is the machine's.
	if strings.Contains(res.Stdout, "not checked: time ran out before its turn") {
		t.Errorf("a target is reported as not started:\n%s", res.Stdout)
	}
}
