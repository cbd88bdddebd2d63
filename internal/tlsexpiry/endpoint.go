package tlsexpiry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/phase"
	"github.com/frontline-sre/mackerel-frontline/internal/tlsprobe"
)

// endpoint judges what an endpoint presented: a failed verification first
// (with the days left), then every certificate of the deciding chain that
// is not OK, then a renewal the listener has not loaded.
func (c *Config) endpoint(j judge, u unit, res *tlsprobe.Result, served certchain.Served, expected *x509.Certificate, expectErr error) outcome {
	label := u.label()
	vs := j.chain(served.Chain)
	o := outcome{decider: &vs[0].cert, where: c.stableLabel(u)}
	if err := served.VerifyErr; err != nil && !(certchain.ExpiryFailure(err) && vs[0].status == check.CRITICAL) {
		o.findings = append(o.findings, check.Finding{Status: check.CRITICAL,
			Text: fmt.Sprintf("%s verification failed: %s; %s", label, verifyReason(err), vs[0].text)})
		vs = vs[1:]
	}
	o.findings = append(o.findings, nonOK(label, vs)...)
	if c.ExpectFile != "" {
		if f := compareExpected(label, c.ExpectFile, res.Certificates[0], expected, expectErr); f != nil {
			o.findings = append(o.findings, *f)
		}
	}
	if len(o.findings) > 0 {
		return o
	}
	text := label + " " + vs[0].text
	if c.Verbose {
		text += fmt.Sprintf(", %s, handshake %s", tls.VersionName(res.Version), phase.Seconds(res.Handshake))
		for _, x := range served.Unused {
			text += fmt.Sprintf("; not on the verified chain, not judged: %s expiring %s", x.Describe(), stamp(x.NotAfter))
		}
	}
	o.findings = []check.Finding{{Status: check.OK, Text: text}}
	return o
}

// file judges every certificate in a file on its own.
func (j judge) file(u unit, certs []*x509.Certificate) outcome {
	chain := make([]certchain.Cert, len(certs))
	for i, x := range certs {
		chain[i] = certchain.Cert{Certificate: x, Role: certchain.RoleOf(x)}
	}
	vs := j.chain(chain)
	o := outcome{decider: &vs[0].cert, where: u.path, findings: nonOK(u.path, vs)}
	if len(o.findings) == 0 {
		o.findings = []check.Finding{{Status: check.OK, Text: u.path + " " + vs[0].text}}
	}
	return o
}

func nonOK(label string, vs []verdict) []check.Finding {
	var fs []check.Finding
	for _, v := range vs {
		if v.status != check.OK {
			fs = append(fs, check.Finding{Status: v.status, Text: label + " " + v.text})
		}
	}
	return fs
}

// serverName is the name sent as SNI and verified: --sni, else the host.
func (c *Config) serverName(t Target) string {
	if c.SNI != "" {
		return c.SNI
	}
	return t.Host
}

// stableLabel names a unit in the OK verdict, which must not change from
// run to run: the address is left out unless every address is probed,
// because a round-robin resolver answers with a different first address.
func (c *Config) stableLabel(u unit) string {
	if c.AllAddresses {
		return u.label()
	}
	return u.target.Label()
}

// verifyReason says why verification failed in words a responder can act on.
func verifyReason(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return "no chain to a trusted root (an unknown CA, or the server does not send its intermediate; --ca-file adds a private CA)"
	case errors.As(err, &host):
		return "hostname mismatch: " + phase.Cause(err)
	}
	return phase.Cause(err)
}

// expected reads the --expect-file leaf once for every endpoint unit.
func (c *Config) expected() (*x509.Certificate, error) {
	if c.ExpectFile == "" {
		return nil, nil
	}
	certs, err := certchain.ReadFile(c.ExpectFile)
	if err != nil {
		return nil, err
	}
	for _, x := range certs {
		if !x.IsCA {
			return x, nil
		}
	}
	return certs[0], nil
}

// compareExpected finds a certificate renewed on disk that the listener has
// not loaded yet: a reload away from an outage that the expiry alone
// reports too late.
func compareExpected(label, path string, served, onDisk *x509.Certificate, readErr error) *check.Finding {
	if readErr != nil {
		return &check.Finding{Status: check.UNKNOWN, Text: fmt.Sprintf("%s: --expect-file: %v", label, readErr)}
	}
	if served.Equal(onDisk) || !onDisk.NotAfter.After(served.NotAfter) {
		return nil
	}
	return &check.Finding{Status: check.WARNING, Text: fmt.Sprintf(
		"%s renewed on disk (%s, NotAfter %s) but the listener still serves the old certificate (NotAfter %s): reload the server",
		label, path, stamp(onDisk.NotAfter), stamp(served.NotAfter))}
}
