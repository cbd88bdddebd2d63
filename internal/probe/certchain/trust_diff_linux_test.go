package certchain

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// The hand-written store reader must select exactly the anchors Go's own
// x509.SystemCertPool would: for every presented chain, the same roots end
// a verified chain. Go loads its system pool once per process, so each
// store is judged in a child process of this test binary.
func TestSystemStoreDifferential(t *testing.T) {
	if dir := os.Getenv("CERTCHAIN_DIFF_CHAINS"); dir != "" {
		compareWithGo(t, dir)
		return
	}
	newPKI := func(name string) *fixture.PKI { return testutil.NamedPKI(t, name) }
	inBundle, inDir, viaHash, viaOutsideLink, inSecond, absent, sameName := newPKI("Bundle"), newPKI("Dir"), newPKI("Hash"), newPKI("Outside"), newPKI("Second"), newPKI("Absent"), newPKI("Bundle")
	selfSigned := testutil.NewCert(t, fixture.CertOptions{CN: "appliance.local", DNS: []string{"appliance.local"}})
	trustedOnly := newPKI("Trusted Only") // as TRUSTED CERTIFICATE: Go's store skips it
	withHeaders := newPKI("Headers")      // a PEM block with headers: skipped too
	inSubdir := newPKI("Subdir")          // a directory is not walked

	store, dir, second, elsewhere := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, path string) {
		t.Helper()
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
	headers := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Note": "x"}, Bytes: withHeaders.Root.Raw})
	bundle := bytes.Join([][]byte{
		[]byte("# bundle\n"), fixture.PEM(inBundle.Root), trusted(t, trustedOnly.Root.Raw), headers,
		[]byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), fixture.PEM(selfSigned),
	}, nil)
	write(filepath.Join(store, "ca-certificates.crt"), bundle)
	write(filepath.Join(dir, "dir.pem"), fixture.PEM(inDir.Root))
	write(filepath.Join(dir, "hash-target.crt"), fixture.PEM(viaHash.Root))
	link("hash-target.crt", filepath.Join(dir, "3f1a2b4c.0"))
	link("dir.pem", filepath.Join(dir, "9e8d7c6b.0"))
	write(filepath.Join(elsewhere, "outside.pem"), fixture.PEM(viaOutsideLink.Root))
	link(filepath.Join(elsewhere, "outside.pem"), filepath.Join(dir, "5a5a5a5a.0"))
	link("missing.pem", filepath.Join(dir, "dangling.0"))
	write(filepath.Join(dir, "README"), []byte("not a certificate\n"))
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(dir, "sub", "sub.pem"), fixture.PEM(inSubdir.Root))
	write(filepath.Join(second, "second.pem"), fixture.PEM(inSecond.Root))

	leafOf := func(p *fixture.PKI) []*fixture.Cert { return []*fixture.Cert{testutil.Leaf(t, p, 30), p.Intermediate} }
	chains := [][]*fixture.Cert{
		leafOf(inBundle), leafOf(inDir), leafOf(viaHash), leafOf(viaOutsideLink), leafOf(inSecond),
		leafOf(absent), leafOf(sameName), leafOf(trustedOnly), leafOf(withHeaders), leafOf(inSubdir),
		{selfSigned}, {inBundle.Intermediate}, {inBundle.Root},
	}
	chainDir := t.TempDir()
	for i, c := range chains {
		write(filepath.Join(chainDir, fmt.Sprintf("chain-%02d.pem", i)), fixture.PEM(c...))
	}
	// A few of this machine's own anchors, presented as they are: only a
	// reader of the default directories trusts them when the bundle is
	// the test's.
	var own int
	hashed, _ := filepath.Glob(filepath.Join(systemCertDirs[0], "*.0"))
	for _, h := range hashed {
		if own == 3 {
			break
		}
		if certs, err := ReadFile(h); err == nil && len(certs) == 1 {
			write(filepath.Join(chainDir, fmt.Sprintf("chain-own-%d.pem", own)), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs[0].Raw}))
			own++
		}
	}

	for _, tc := range []struct {
		name string
		env  []string
		min  int // chains that must verify, so that agreement means something
	}{
		{"bundle and directories", []string{"SSL_CERT_FILE=" + filepath.Join(store, "ca-certificates.crt"), "SSL_CERT_DIR=" + dir + ":" + filepath.Join(dir, "absent") + ":" + second}, 8},
		{"bundle only", []string{"SSL_CERT_FILE=" + filepath.Join(store, "ca-certificates.crt"), "SSL_CERT_DIR=" + filepath.Join(dir, "absent")}, 4},
		{"directories only", []string{"SSL_CERT_FILE=" + filepath.Join(store, "absent.crt"), "SSL_CERT_DIR=" + dir}, 3},
		// Empty means the defaults, this machine's own directories: its
		// anchors verify in both readers.
		{"empty SSL_CERT_DIR", []string{"SSL_CERT_FILE=" + filepath.Join(store, "ca-certificates.crt"), "SSL_CERT_DIR="}, 4 + own},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasPrefix(tc.name, "empty") && own == 0 {
				t.Skipf("no certificates in %s on this machine to tell the defaults from no directory", systemCertDirs[0])
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestSystemStoreDifferential$", "-test.v")
			cmd.Env = append(os.Environ(), append(tc.env, "CERTCHAIN_DIFF_CHAINS="+chainDir)...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the readers disagree: %v\n%s", err, out)
			}
			var verified int
			if _, err := fmt.Sscanf(string(out[bytes.Index(out, []byte("verified: ")):]), "verified: %d", &verified); err != nil || verified < tc.min {
				t.Errorf("%d chains verified (%v), want at least %d:\n%s", verified, err, tc.min, out)
			}
		})
	}
}

// compareWithGo verifies each chain in dir with x509.SystemCertPool and
// with the hand-written reader's FullPool and Pool, and fails on any
// difference in the anchors that end the verified chains.
func compareWithGo(t *testing.T, dir string) {
	files, err := filepath.Glob(filepath.Join(dir, "chain-*.pem"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no chains in %s: %v", dir, err)
	}
	var presented [][]*x509.Certificate
	for _, f := range files {
		certs, err := ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		presented = append(presented, certs)
	}
	system, err := x509.SystemCertPool()
	if err != nil {
		t.Fatalf("x509.SystemCertPool: %v", err)
	}
	full, _ := (*Trust)(nil).LoadPool(true, presented...)
	anchors := func(pool *x509.CertPool, certs []*x509.Certificate) string {
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		chains, err := certs[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil {
			return "none"
		}
		var roots []string
		for _, ch := range chains {
			roots = append(roots, ch[len(ch)-1].Subject.CommonName+fmt.Sprintf("/%x", ch[len(ch)-1].Signature[:4]))
		}
		slices.Sort(roots)
		return strings.Join(slices.Compact(roots), ",")
	}
	verified := 0
	for i, certs := range presented {
		want, got := anchors(system, certs), anchors(full, certs)
		if got != want {
			t.Errorf("%s (%s): anchors [%s], x509.SystemCertPool [%s]", filepath.Base(files[i]), certs[0].Subject.CommonName, got, want)
		}
		if want != "none" {
			verified++
		}
	}
	fmt.Printf("verified: %d\n", verified)
}
