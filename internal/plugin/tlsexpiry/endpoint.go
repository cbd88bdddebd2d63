package tlsexpiry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/expiry"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
)

// Render makes the check's report of results: a line per finding that is
// not OK, and an OK verdict naming the earliest expiry. Its text does not
// change from run to run while nothing changes: an endpoint's address is
// named only with AllAddresses, or when something is wrong.
func (c *Config) Render(results []Result) *check.Report {
	expected, expectErr := c.expected()
	r := &check.Report{Noun: "target"}
	if c.Trust != nil && c.Trust.Damaged != nil {
		// Anchors that could not be read may be what a chain needs.
		r.Findings = append(r.Findings, check.Finding{Status: check.UNKNOWN, Text: "--ca-file " + c.Trust.Damaged.Error()})
	}
	var first *Result
	var firstWhere string
	for i := range results {
		res := &results[i]
		var findings []check.Finding
		switch {
		case res.Err != nil && res.Target.IsFile():
			// A file's own error names its path.
			findings = []check.Finding{{Status: res.Status, Text: errText(res.Err, res.Path)}}
		case res.Err != nil:
			label := res.Label()
			findings = []check.Finding{{Status: res.Status, Text: label + ": " + errText(res.Err, label)}}
			if c.ExpectFile != "" && expectErr != nil {
				// Said now too: it would otherwise surface only once
				// the endpoint is back.
				findings = append(findings, *compareExpected(label, c.ExpectFile, nil, nil, expectErr))
			}
		case res.Path != "":
			findings = c.file(res)
		default:
			findings = c.endpoint(res, expected, expectErr)
		}
		r.Findings = append(r.Findings, findings...)
		if res.Decider != nil && (first == nil || res.Decider.NotAfter.Before(first.Decider.NotAfter)) {
			first, firstWhere = res, c.stableLabel(res)
		}
	}
	if first != nil {
		n := len(results)
		r.OKVerdict = fmt.Sprintf("%d %s, earliest expiry in %s (%s %s, %s)", n, textfmt.Plural(n, "target"),
			expiry.Days(threshold.Between(first.JudgedAt, first.Decider.NotAfter)), firstWhere, first.Decider.Role, first.Decider.NotAfter.UTC().Format(time.DateOnly))
	}
	return r
}

// endpoint renders what an endpoint presented: a failed verification first
// (with the days left), then every certificate of the deciding chain that
// is not OK, then a renewal the listener has not loaded.
func (c *Config) endpoint(res *Result, expected *x509.Certificate, expectErr error) []check.Finding {
	label := res.Label()
	vs := res.Verdicts
	var fs []check.Finding
	// A failure's line carries the days left of the certificate that
	// decides, so that they are on the first line whatever failed.
	withDays := func(text string) string {
		if len(vs) == 0 {
			return text
		}
		text += "; " + vs[0].Text
		vs = vs[1:]
		return text
	}
	if err := res.HandshakeErr; err != nil {
		fs = append(fs, check.Finding{Status: check.CRITICAL, Text: withDays(label + ": " + errText(err, label))})
	}
	if res.Refused != nil {
		fs = append(fs, check.Finding{Status: res.Refused.Status,
			Text: withDays(fmt.Sprintf("%s %s %s", label, res.Chain[0].Describe(), res.Refused.Text))})
	}
	if err := res.VerifyErr; err != nil && !res.JudgedFailure() {
		fs = append(fs, check.Finding{Status: check.CRITICAL,
			Text: withDays(fmt.Sprintf("%s verification failed: %s", label, certchain.Explain(err, res.Presented)))})
	}
	fs = append(fs, nonOK(label, vs)...)
	if c.ExpectFile != "" {
		if f := compareExpected(label, c.ExpectFile, res.Presented[0], expected, expectErr); f != nil {
			fs = append(fs, *f)
		}
	}
	if len(fs) > 0 {
		return fs
	}
	text := label + " " + vs[0].Text
	if c.Verbose {
		text += fmt.Sprintf(", %s, handshake %s", tls.VersionName(res.TLSVersion), textfmt.Seconds(res.Timings.Handshake))
		for _, x := range res.Unused {
			when := "expiring"
			if !x.NotAfter.After(res.JudgedAt) {
				when = "expired"
			}
			text += fmt.Sprintf("; not on the verified chain, not judged: %s %s %s", x.Describe(), when, expiry.Stamp(x.NotAfter))
		}
	}
	return []check.Finding{{Status: check.OK, Text: text}}
}

// file renders every certificate in a file, each judged on its own.
func (c *Config) file(res *Result) []check.Finding {
	fs := nonOK(res.Path, res.Verdicts)
	if res.Damaged != nil {
		// The error names the file and the blocks. When nothing else is
		// said of the file, the days of the certificate that decides
		// follow, as they would on an OK line.
		text := res.Damaged.Error()
		if len(fs) == 0 {
			text += "; " + res.Verdicts[0].Text
		}
		fs = append(fs, check.Finding{Status: check.UNKNOWN, Text: text})
	}
	if len(fs) == 0 {
		fs = []check.Finding{{Status: check.OK, Text: res.Path + " " + res.Verdicts[0].Text}}
	}
	return fs
}

func nonOK(label string, vs []expiry.Verdict) []check.Finding {
	var fs []check.Finding
	for _, v := range vs {
		if v.Status != check.OK {
			fs = append(fs, check.Finding{Status: v.Status, Text: label + " " + v.Text})
		}
	}
	return fs
}

// stableLabel names a unit in the OK verdict, which must not change from
// run to run: the address is left out unless every address is probed,
// because a round-robin resolver answers with a different first address,
// and a client falls back to another when one is down.
func (c *Config) stableLabel(res *Result) string {
	if c.AllAddresses || res.Path != "" {
		return res.Label()
	}
	return res.Target.Label()
}

// expected reads the --expect-file leaf once for every endpoint.
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
		label, path, expiry.Stamp(onDisk.NotAfter), expiry.Stamp(served.NotAfter))}
}

// errText is err as a message under label: a phase's address is left out
// when the label shows it already.
func errText(err error, label string) string {
	var pe *inflight.Error
	msg := err.Error()
	if errors.As(err, &pe) && pe.Addr != "" && msg == pe.Error() && strings.Contains(label, pe.Addr) {
		msg = strings.Replace(msg, pe.Phase+" "+pe.Addr+":", pe.Phase+":", 1)
	}
	return msg
}
