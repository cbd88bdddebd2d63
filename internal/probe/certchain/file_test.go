package certchain

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestParse(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30)
	var der []byte
	for _, c := range []*fixture.Cert{leaf, p.Intermediate, p.Root} {
		der = append(der, c.Raw...)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want []*fixture.Cert
	}{
		{"one PEM certificate", fixture.PEM(leaf), []*fixture.Cert{leaf}},
		{"fullchain", fixture.PEM(leaf, p.Intermediate), []*fixture.Cert{leaf, p.Intermediate}},
		{
			"keys and text interleaved",
			bytes.Join([][]byte{[]byte("subject=CN=localhost\n"), leaf.KeyPEM(), fixture.PEM(leaf), p.Intermediate.KeyPEM(), []byte("# the chain\n"), fixture.PEM(p.Intermediate, p.Root)}, nil),
			[]*fixture.Cert{leaf, p.Intermediate, p.Root},
		},
		{"CRLF line ends", bytes.ReplaceAll(fixture.PEM(leaf, p.Root), []byte("\n"), []byte("\r\n")), []*fixture.Cert{leaf, p.Root}},
		{"DER", leaf.Raw, []*fixture.Cert{leaf}},
		{"concatenated DER", der, []*fixture.Cert{leaf, p.Intermediate, p.Root}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Parse returned %d certificates, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !got[i].Equal(tc.want[i].Certificate) {
					t.Errorf("certificate %d is %s, want %s", i+1, got[i].Subject, tc.want[i].Subject)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := fixture.PEM(testutil.Leaf(t, p, 30))
	inter := fixture.PEM(p.Intermediate)
	corrupt := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty: no certificate in it"},
		{"garbage", []byte("this is a log file\n"), "not a PEM or DER certificate"},
		{"binary garbage", []byte{0x30, 0x03, 1, 2, 3}, "not a PEM or DER certificate"},
		{"truncated DER", p.Root.Raw[:100], "not a PEM or DER certificate"},
		{"key only", p.Root.KeyPEM(), "no certificate in it (no PEM CERTIFICATE block)"},
		{"PEM block that is not a certificate", corrupt, "PEM block 1 is not a valid certificate"},
		{"second block not a certificate", append(append([]byte{}, leaf...), corrupt...), "PEM block 2 is not a valid certificate"},
		{"block after a key", append(append(p.Root.KeyPEM(), leaf...), corrupt...), "PEM block 3 is not a valid certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.data)
			if err == nil {
				t.Fatalf("Parse returned %d certificates, want an error", len(got))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error %q, want it to contain %q", err, tc.want)
			}
		})
	}
	// A bundle cut short or damaged in the middle must not pass for the
	// certificates that survived: every certificate in it is to be judged.
	badBase64 := bytes.Replace(inter, []byte("\nMII"), []byte("\n!!!"), 1)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated bundle", append(append([]byte{}, leaf...), inter[:len(inter)/2]...), "PEM block 2 is cut short or damaged"},
		{"bad base64", append(append([]byte{}, leaf...), badBase64...), "PEM block 2 is cut short or damaged"},
		{"missing END line", append(append([]byte{}, leaf...), bytes.Replace(inter, []byte("-----END CERTIFICATE-----"), nil, 1)...), "PEM block 2 is cut short or damaged"},
		{"damaged before a good block", append(append([]byte{}, badBase64...), leaf...), "PEM block 1 is cut short or damaged"},
		{"damaged after a key", bytes.Join([][]byte{leaf, p.Root.KeyPEM(), badBase64, inter}, nil), "PEM block 3 is cut short or damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.data)
			if err == nil {
				t.Fatalf("Parse returned %d certificates and no error, want the damaged block reported", len(got))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error %q, want it to contain %q", err, tc.want)
			}
		})
	}
	// A mention of the marker inside a line of text is not a block.
	text := append([]byte("# paste -----BEGIN CERTIFICATE----- blocks below\n"), leaf...)
	if got, err := Parse(text); err != nil || len(got) != 1 {
		t.Errorf("Parse(text mentioning the marker, then a certificate) = %d certificates, %v; want 1, nil", len(got), err)
	}
}

func TestReadFile(t *testing.T) {
	p := testutil.NewPKI(t)
	path := testutil.WriteFile(t, "fullchain.pem", fixture.PEM(testutil.Leaf(t, p, 30), p.Intermediate))
	certs, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if len(certs) != 2 || !certs[1].Equal(p.Intermediate.Certificate) {
		t.Errorf("ReadFile returned %d certificates, want the leaf and the intermediate", len(certs))
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	large := filepath.Join(dir, "large.log")
	if err := os.WriteFile(large, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(large, MaxFileSize+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	garbage := testutil.WriteFile(t, "notes.txt", []byte("renew me\n"))
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing", missing, "cannot read " + missing + ": no such file or directory"},
		{"directory", dir, dir + " is a directory, not a certificate file (use a glob such as " + filepath.Join(dir, "*.pem") + ")"},
		{"too large", large, large + " is larger than 4 MiB, too large for a certificate file"},
		{"no certificate", garbage, garbage + ": not a PEM or DER certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certs, err := ReadFile(tc.path)
			if err == nil {
				t.Fatalf("ReadFile returned %d certificates, want an error", len(certs))
			}
			if err.Error() != tc.want {
				t.Errorf("ReadFile error:\n got %q\nwant %q", err, tc.want)
			}
		})
	}
}

func TestReadFileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	path := testutil.WriteFile(t, "secret.pem", []byte("x"))
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || err.Error() != "cannot read "+path+": permission denied" {
		t.Errorf("ReadFile(unreadable) error %v, want permission denied naming the path", err)
	}
}

func TestGlob(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.pem", "a.pem", "c.key"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, pattern string
		want          []string
		wantErr       string
	}{
		{"plain path, present", filepath.Join(dir, "a.pem"), []string{filepath.Join(dir, "a.pem")}, ""},
		{"plain path, absent: read and reported later", filepath.Join(dir, "nope.pem"), []string{filepath.Join(dir, "nope.pem")}, ""},
		{"glob, sorted", filepath.Join(dir, "*.pem"), []string{filepath.Join(dir, "a.pem"), filepath.Join(dir, "b.pem")}, ""},
		{"question mark", filepath.Join(dir, "?.key"), []string{filepath.Join(dir, "c.key")}, ""},
		{"no match", filepath.Join(dir, "*.crt"), nil, filepath.Join(dir, "*.crt") + " matches no file"},
		{"bad pattern", filepath.Join(dir, "[.pem"), nil, "bad glob " + filepath.Join(dir, "[.pem")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Glob(tc.pattern)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Errorf("Glob(%q) = %q, %v; want an error starting %q", tc.pattern, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Glob(%q): %v", tc.pattern, err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Glob(%q) = %q, want %q", tc.pattern, got, tc.want)
			}
		})
	}
}

// One block Go cannot read must not hide the certificates beside it: the
// expired one still has to be judged.
func TestParsePartial(t *testing.T) {
	p := testutil.NewPKI(t)
	expired := testutil.NewCert(t, fixture.CertOptions{CN: "expired", NotBefore: fixture.InDays(-100), NotAfter: fixture.InDays(-10)})
	corrupt := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	damaged := bytes.Replace(fixture.PEM(p.Intermediate), []byte("\nMII"), []byte("\n!!!"), 1)
	for _, tc := range []struct {
		name string
		data []byte
		want []*fixture.Cert
		msg  string
	}{
		{"unparseable after", bytes.Join([][]byte{fixture.PEM(expired), corrupt}, nil), []*fixture.Cert{expired}, "PEM block 2 is not a valid certificate"},
		{"unparseable before", bytes.Join([][]byte{corrupt, fixture.PEM(expired)}, nil), []*fixture.Cert{expired}, "PEM block 1 is not a valid certificate"},
		{"damaged between", bytes.Join([][]byte{fixture.PEM(expired), damaged, fixture.PEM(p.Root)}, nil), []*fixture.Cert{expired, p.Root}, "PEM block 2 is cut short or damaged"},
		{"two bad blocks", bytes.Join([][]byte{corrupt, fixture.PEM(expired), damaged}, nil), []*fixture.Cert{expired}, "PEM block 1 is not a valid certificate: malformed certificate; PEM block 3 is cut short"},
		{"only bad", corrupt, nil, "PEM block 1 is not a valid certificate"},
		{"DER, then a bad one", append(append([]byte{}, expired.Raw...), 0x30, 0x03, 1, 2, 3), []*fixture.Cert{expired}, "DER certificate 2 is not a valid certificate"},
		{"DER, then junk", append(append([]byte{}, expired.Raw...), "junk"...), []*fixture.Cert{expired}, "4 bytes after DER certificate 1 are not a certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.data)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Parse error %q, want it to contain %q", err, tc.msg)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Parse returned %d certificates with the error, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !got[i].Equal(tc.want[i].Certificate) {
					t.Errorf("certificate %d is %s, want %s", i+1, got[i].Subject, tc.want[i].Subject)
				}
			}
		})
	}

	path := testutil.WriteFile(t, "bundle.pem", bytes.Join([][]byte{fixture.PEM(expired), corrupt}, nil))
	certs, err := ReadFile(path)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Path != path || len(certs) != 1 || !certs[0].Equal(expired.Certificate) {
		t.Errorf("ReadFile = %d certificates, %v; want the expired one and a *ParseError naming %s", len(certs), err, path)
	}
	if want := path + ": PEM block 2 is not a valid certificate"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ReadFile error %q, want it to start %q", err, want)
	}
}

// trusted encodes a certificate as openssl x509 -trustout does: the
// certificate, then an aux SEQUENCE of trust settings and an alias.
func trusted(t *testing.T, der []byte) []byte {
	t.Helper()
	aux, err := asn1.Marshal(struct {
		Trust []asn1.ObjectIdentifier
		Alias string `asn1:"utf8"`
	}{[]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}}, "my root"})
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, der...), aux...)})
}

func TestParseTrustedCertificate(t *testing.T) {
	p := testutil.NewPKI(t)
	got, err := Parse(append(trusted(t, p.Root.Raw), fixture.PEM(p.Intermediate)...))
	if err != nil {
		t.Fatalf("Parse(TRUSTED CERTIFICATE): %v", err)
	}
	if len(got) != 2 || !got[0].Equal(p.Root.Certificate) || !got[1].Equal(p.Intermediate.Certificate) {
		t.Errorf("Parse returned %d certificates, want the root and the intermediate", len(got))
	}
}

func TestReadFileNotRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "cert.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, fifo + " is a FIFO, not a regular file"},
		{"/dev/zero", "/dev/zero is a device, not a regular file"},
	} {
		done := make(chan error, 1)
		go func() { _, err := ReadFile(tc.path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("ReadFile(%s) error %v, want it to start %q", tc.path, err, tc.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadFile(%s) still blocked after 10 s", tc.path)
		}
	}
}

// A name with glob characters that exists is that file, not a pattern.
func TestGlobLiteralFirst(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"cert[1].pem", "cert1.pem"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	literal := filepath.Join(dir, "cert[1].pem")
	if got, err := Glob(literal); err != nil || len(got) != 1 || got[0] != literal {
		t.Errorf("Glob(%q) = %q, %v; want the file itself", literal, got, err)
	}
	// Absent as a name, it is still a pattern.
	pattern := filepath.Join(dir, "cert[0-9].pem")
	if got, err := Glob(pattern); err != nil || len(got) != 1 || got[0] != filepath.Join(dir, "cert1.pem") {
		t.Errorf("Glob(%q) = %q, %v; want cert1.pem", pattern, got, err)
	}
}
