package certchain

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/testutil"
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
	if err := os.Truncate(large, maxFileSize+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	garbage := testutil.WriteFile(t, "notes.txt", []byte("renew me\n"))
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing", missing, "cannot read " + missing + ": no such file or directory"},
		{"directory", dir, dir + " is a directory, not a certificate file (use a glob such as " + filepath.Join(dir, "*.pem") + ")"},
		{"too large", large, large + " is 8388609 bytes, too large for a certificate file"},
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
