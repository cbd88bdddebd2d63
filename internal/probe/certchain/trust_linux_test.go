package certchain

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// systemStore points the system store at a bundle and certificate
// directories made for the test.
func systemStore(t *testing.T, bundle []byte, dirs ...string) {
	t.Helper()
	t.Setenv("SSL_CERT_FILE", testutil.WriteFile(t, "ca-certificates.crt", bundle))
	if len(dirs) == 0 {
		dirs = []string{t.TempDir()}
	}
	t.Setenv("SSL_CERT_DIR", strings.Join(dirs, ":"))
}

func subjects(p *x509.CertPool) string {
	var names []string
	//lint:ignore SA1019 a pool built here, not the system's, so Subjects lists every certificate
	for _, s := range p.Subjects() {
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(s, &rdn); err == nil {
			var n pkix.Name
			n.FillFromRDNSequence(&rdn)
			names = append(names, n.CommonName)
		}
	}
	return strings.Join(names, ", ")
}

func TestPool(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30)
	other := testutil.NewPKI(t) // same names, other keys
	otherRoot := testutil.NewCert(t, fixture.CertOptions{CN: "Unrelated Root", IsCA: true})
	appliance := testutil.NewCert(t, fixture.CertOptions{CN: "appliance.local", DNS: []string{"appliance.local"}})
	damaged := []byte("-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n")
	bundle := bytes.Join([][]byte{
		[]byte("# system bundle\n"), fixture.PEM(otherRoot), damaged, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
		fixture.PEM(p.Root), []byte("junk between blocks\n"), fixture.PEM(appliance),
	}, nil)
	systemStore(t, bundle)

	for _, tc := range []struct {
		name      string
		trust     *Trust
		presented [][]*x509.Certificate
		want      []*fixture.Cert
	}{
		{"chain to a system root", nil, [][]*x509.Certificate{x509s(leaf, p.Intermediate)}, []*fixture.Cert{p.Root}},
		{"leaf only: its issuer is no anchor", nil, [][]*x509.Certificate{x509s(leaf)}, nil},
		{"self-signed certificate in the store", nil, [][]*x509.Certificate{x509s(appliance)}, []*fixture.Cert{appliance}},
		{"several endpoints", nil, [][]*x509.Certificate{x509s(leaf, p.Intermediate), x509s(appliance)}, []*fixture.Cert{p.Root, appliance}},
		// The store's root has the other PKI's name: by subject it may
		// end that chain too, and verification decides.
		{"same subject, other key", nil, [][]*x509.Certificate{x509s(other.Intermediate)}, []*fixture.Cert{p.Root}},
		{"nothing presented", nil, nil, nil},
		{"extra anchors always", &Trust{Extra: x509s(other.Root)}, nil, []*fixture.Cert{other.Root}},
		{"extra anchors and system ones", &Trust{Extra: x509s(other.Root)}, [][]*x509.Certificate{x509s(leaf, p.Intermediate)}, []*fixture.Cert{p.Root, other.Root}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, full := range []bool{false, true} {
				var got *x509.CertPool
				if full {
					got = tc.trust.FullPool(tc.presented...)
				} else {
					got = tc.trust.Pool(tc.presented...)
				}
				if want := pool(tc.want...); !got.Equal(want) {
					t.Errorf("full=%v: pool holds [%s], want [%s]", full, subjects(got), subjects(want))
				}
			}
		})
	}

	t.Run("verifies", func(t *testing.T) {
		served := Select(x509s(leaf, p.Intermediate), Policy{Roots: (*Trust)(nil).Pool(x509s(leaf, p.Intermediate)), Name: "localhost"})
		if served.VerifyErr != nil {
			t.Errorf("verification with the pool: %v", served.VerifyErr)
		}
	})
}

func TestPoolDirectories(t *testing.T) {
	// Distinct names, so that only the right file can answer for each.
	newPKI := func(name string) *fixture.PKI { return testutil.NamedPKI(t, name) }
	inBundle, inDir, inSecondDir, outside := newPKI("Bundle"), newPKI("Dir"), newPKI("Second Dir"), newPKI("Outside")

	dir, second, elsewhere := t.TempDir(), t.TempDir(), t.TempDir()
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "dir-root.pem"), fixture.PEM(inDir.Root))
	write(filepath.Join(second, "second.crt"), fixture.PEM(inSecondDir.Root))
	write(filepath.Join(elsewhere, "outside.pem"), fixture.PEM(outside.Root))
	if err := os.Symlink("dir-root.pem", filepath.Join(dir, "1a2b3c4d.0")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, "outside.pem"), filepath.Join(dir, "outside.pem")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	systemStore(t, fixture.PEM(inBundle.Root), dir, filepath.Join(dir, "missing"), second)

	presented := [][]*x509.Certificate{
		x509s(inBundle.Intermediate), x509s(inDir.Intermediate), x509s(inSecondDir.Intermediate), x509s(outside.Intermediate),
	}
	if got, want := (&Trust{}).Pool(presented...), pool(inBundle.Root); !got.Equal(want) {
		t.Errorf("Pool holds [%s], want only the bundle's [%s]", subjects(got), subjects(want))
	}
	// A link out of the directory is read like a file; a link within it
	// is the same file again.
	if got, want := (&Trust{}).FullPool(presented...), pool(inBundle.Root, inDir.Root, inSecondDir.Root, outside.Root); !got.Equal(want) {
		t.Errorf("FullPool holds [%s], want [%s]", subjects(got), subjects(want))
	}
}

func TestPoolMissingBundle(t *testing.T) {
	p := testutil.NewPKI(t)
	t.Setenv("SSL_CERT_FILE", filepath.Join(t.TempDir(), "absent.crt"))
	t.Setenv("SSL_CERT_DIR", t.TempDir())
	extra := &Trust{Extra: x509s(p.Root)}
	if got := extra.FullPool(x509s(p.Intermediate)); !got.Equal(pool(p.Root)) {
		t.Errorf("pool holds [%s], want the extra anchor only", subjects(got))
	}
}

func TestLinksWithin(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.pem"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, target string // "" for a regular file
		dir          string
		want         bool
	}{
		{"relative", "a.pem", dir, true},
		{"dot slash", "./a.pem", dir, true},
		{"absolute, within", filepath.Join(dir, "a.pem"), dir, true},
		{"dangling, within", "gone.pem", dir, true},
		{"dir with a trailing slash", "a.pem", dir + "/", true},
		{"into a subdirectory", "sub/a.pem", dir, false},
		{"up and out", "../a.pem", dir, false},
		{"absolute, elsewhere", filepath.Join(elsewhere, "a.pem"), dir, false},
		{"not a link", "", dir, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "a.pem")
			if tc.target != "" {
				path = filepath.Join(dir, strings.NewReplacer(" ", "-", ",", "").Replace(tc.name))
				if err := os.Symlink(tc.target, path); err != nil {
					t.Fatal(err)
				}
			}
			if got := linksWithin(tc.dir, path); got != tc.want {
				t.Errorf("linksWithin(%q, %s -> %q) = %v, want %v", tc.dir, filepath.Base(path), tc.target, got, tc.want)
			}
		})
	}
}

// withoutVersion rewrites a certificate as version 1 would be encoded:
// without the explicit [0] version field. The signature no longer matches,
// which does not matter to a reader of names.
func withoutVersion(t *testing.T, der []byte) []byte {
	t.Helper()
	var cert struct{ TBS, Alg, Sig asn1.RawValue }
	if rest, err := asn1.Unmarshal(der, &cert); err != nil || len(rest) > 0 {
		t.Fatalf("certificate: %v", err)
	}
	var fields []byte
	for rest, i := cert.TBS.Bytes, 0; len(rest) > 0; i++ {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			t.Fatal(err)
		}
		if i == 0 && f.Class == asn1.ClassContextSpecific && f.Tag == 0 {
			continue
		}
		fields = append(fields, f.FullBytes...)
	}
	tbs, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: fields})
	if err != nil {
		t.Fatal(err)
	}
	out, err := asn1.Marshal(struct{ TBS, Alg, Sig asn1.RawValue }{asn1.RawValue{FullBytes: tbs}, cert.Alg, cert.Sig})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRawSubject(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30, "api.example.test")
	long := testutil.NewCert(t, fixture.CertOptions{Subject: &pkix.Name{
		CommonName:         "a certificate whose subject needs a long-form length",
		Organization:       []string{strings.Repeat("Organization ", 12)},
		OrganizationalUnit: []string{strings.Repeat("Unit ", 20)},
	}})
	noCN := testutil.NewCert(t, fixture.CertOptions{Subject: &pkix.Name{Organization: []string{"Acme"}}, Issuer: p.Intermediate})
	for _, tc := range []struct {
		name string
		der  []byte
		want []byte
	}{
		{"root", p.Root.Raw, p.Root.RawSubject},
		{"intermediate", p.Intermediate.Raw, p.Intermediate.RawSubject},
		{"leaf", leaf.Raw, leaf.RawSubject},
		{"long subject", long.Raw, long.RawSubject},
		{"no common name", noCN.Raw, noCN.RawSubject},
		{"version 1, no version field", withoutVersion(t, leaf.Raw), leaf.RawSubject},
		{"trailing bytes after the certificate", append(append([]byte{}, p.Root.Raw...), 0, 0), p.Root.RawSubject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.want) < 128 && tc.name == "long subject" {
				t.Fatalf("the subject is %d bytes: not long enough for a long-form length", len(tc.want))
			}
			got, ok := rawSubject(tc.der)
			if !ok {
				t.Fatalf("rawSubject failed")
			}
			if got != string(tc.want) {
				t.Errorf("rawSubject = % x\n want % x", got, tc.want)
			}
		})
	}
	// The version 1 rewrite must be what x509 reads as one, or the case
	// above proves nothing.
	if c, err := x509.ParseCertificate(withoutVersion(t, p.Root.Raw)); err != nil || c.Version != 1 {
		t.Errorf("the rewritten certificate does not read as version 1: %v", err)
	}
}

func TestRawSubjectGarbage(t *testing.T) {
	p := testutil.NewPKI(t)
	for _, tc := range []struct {
		name string
		der  []byte
	}{
		{"nil", nil},
		{"text", []byte("garbage that is no certificate")},
		{"truncated", p.Root.Raw[:60]},
		{"empty sequence", []byte{0x30, 0x00}},
		{"empty tbs", []byte{0x30, 0x02, 0x30, 0x00}},
		{"version only", []byte{0x30, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x02}},
		{"serial only", []byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01}},
		{"wrong tag for the issuer", []byte{0x30, 0x0b, 0x30, 0x09, 0x02, 0x01, 0x01, 0x30, 0x00, 0x31, 0x00, 0x30, 0x00}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := rawSubject(tc.der); ok {
				t.Errorf("rawSubject(% x) = % x, true; want failure", tc.der, got)
			}
		})
	}
}

// A store that exists but cannot be read is said so, naming the path; an
// absent one is no error (Go tries several places).
func TestLoadPoolStoreError(t *testing.T) {
	p := testutil.NewPKI(t)
	asDir := t.TempDir()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "root.pem"), fixture.PEM(p.Root), 0o644); err != nil {
		t.Fatal(err)
	}
	notDir := testutil.WriteFile(t, "file", nil)
	for _, tc := range []struct {
		name, file, dirs string
		full             bool
		want             string // "" for no error
	}{
		{"bundle is a directory", asDir, dir, false, "cannot read the system trust store " + asDir + ": is a directory, not a file"},
		{"bundle absent", filepath.Join(asDir, "absent.crt"), dir, true, ""},
		{"directory is a file", filepath.Join(asDir, "absent.crt"), notDir + ":" + dir, true, "cannot read the system trust store " + notDir + ": not a directory"},
		{"directory absent", filepath.Join(asDir, "absent.crt"), filepath.Join(dir, "absent") + ":" + dir, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SSL_CERT_FILE", tc.file)
			t.Setenv("SSL_CERT_DIR", tc.dirs)
			got, err := (*Trust)(nil).LoadPool(tc.full, x509s(p.Intermediate))
			var se *StoreError
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("LoadPool error %v, want none", err)
			case tc.want != "" && (!errors.As(err, &se) || err.Error() != tc.want):
				t.Errorf("LoadPool error %v, want a *StoreError %q", err, tc.want)
			}
			if tc.full && !got.Equal(pool(p.Root)) {
				t.Errorf("pool holds [%s], want what could be read: [%s]", subjects(got), p.Root.Subject.CommonName)
			}
		})
	}
}

// Empty variables mean Go's defaults, not "no file" or "no directory".
func TestEmptyStoreVariables(t *testing.T) {
	p := testutil.NewPKI(t)
	dir := t.TempDir()
	bundle := testutil.WriteFile(t, "bundle.crt", fixture.PEM(p.Root))
	other := testutil.NewPKI(t)
	if err := os.WriteFile(filepath.Join(dir, "other.pem"), fixture.PEM(other.Root), 0o644); err != nil {
		t.Fatal(err)
	}
	files, dirs := systemCertFiles, systemCertDirs
	t.Cleanup(func() { systemCertFiles, systemCertDirs = files, dirs })
	systemCertFiles, systemCertDirs = []string{bundle}, []string{dir}
	t.Setenv("SSL_CERT_FILE", "")
	t.Setenv("SSL_CERT_DIR", "")
	if got := (*Trust)(nil).FullPool(x509s(p.Intermediate), x509s(other.Intermediate)); !got.Equal(pool(p.Root, other.Root)) {
		t.Errorf("pool holds [%s], want the default bundle's and directory's roots", subjects(got))
	}
}
