package certchain

import (
	"bytes"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
)

func FuzzParse(f *testing.F) {
	p, err := fixture.NewPKI("Fuzz")
	if err != nil {
		f.Fatal(err)
	}
	leaf, err := p.Leaf(30)
	if err != nil {
		f.Fatal(err)
	}
	chain := fixture.PEM(leaf, p.Intermediate)
	trustedBlock := pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, p.Root.Raw...), 0x30, 0x03, 0x06, 0x01, 0x00)})
	for _, seed := range [][]byte{
		chain,
		append(append([]byte{}, leaf.Raw...), p.Root.Raw...),
		trustedBlock,
		bytes.ReplaceAll(chain, []byte("\n"), []byte("\r\n")),
		chain[:len(chain)/2],
		[]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN TRUSTED CERTIFICATE-----\n\n-----END TRUSTED CERTIFICATE-----\n"),
		leaf.KeyPEM(),
		{0x30, 0x84, 0xff, 0xff, 0xff, 0xff},
		nil,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := Parse(data)
		var bad *ParseError
		switch {
		case err == nil && len(certs) == 0:
			t.Fatalf("Parse returned no certificate and no error")
		case err != nil && !errors.As(err, &bad) && len(certs) > 0:
			t.Fatalf("Parse returned %d certificates with %v, not a *ParseError", len(certs), err)
		case bad != nil && len(bad.Problems) == 0:
			t.Fatalf("a *ParseError names no problem")
		}
		for _, c := range certs {
			if c == nil {
				t.Fatal("Parse returned a nil certificate")
			}
		}
		// The store reader's name scan must survive the same input.
		rawSubject(data)
		for _, rest, ok := nextPEMCertificate(data); ok; _, rest, ok = nextPEMCertificate(rest) {
		}
	})
}
