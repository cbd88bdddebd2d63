package main

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// A served certificate Go cannot parse fails every Go client's handshake,
// before crypto/tls shows the others: their days are read from the
// handshake's bytes all the same.
func TestServedUnparsableCertificate(t *testing.T) {
	e := newEnv(t)
	old := testutil.NewCert(t, fixture.CertOptions{CN: "Old Cross Root", IsCA: true, Issuer: e.pki.Root, NotAfter: fixture.InDays(500)})
	for _, tc := range []struct {
		name    string
		version uint16
	}{{"TLS 1.2", tls.VersionTLS12}, {"TLS 1.3, read again over TLS 1.2", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, e.pki, 60.5), e.pki.Intermediate},
				Extra: [][]byte{fixture.Unparsable(old)}, MaxVersion: tc.version})
			first := run(t, "-H", srv.Addr, "--ca-file", e.caFile).Expect(t, 2,
				"TLS CRITICAL: "+srv.Addr+": tls: certificate 3 the server sent cannot be parsed (invalid version): every Go client fails the handshake; leaf CN=localhost (issuer Test Intermediate) expires in 60 days")
			if strings.Count(first, "tls:") != 1 {
				t.Errorf("the phase is said once: %q", first)
			}
		})
	}
	t.Run("unparsable leaf", func(t *testing.T) {
		srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, e.pki, 60.5), e.pki.Intermediate}, UnparsableLeaf: true})
		run(t, "-H", srv.Addr, "--ca-file", e.caFile).Expect(t, 2,
			"TLS CRITICAL: "+srv.Addr+": tls: the leaf the server sent cannot be parsed (invalid version): every Go client fails the handshake; intermediate CN=Test Intermediate (issuer Test Root) expires in 1824 days")
	})
}
