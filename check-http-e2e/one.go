package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/expiry"
	"github.com/frontline-sre/mackerel-frontline/internal/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/phase"
	"github.com/frontline-sre/mackerel-frontline/internal/secret"
)

// runOne sends the request of the flags and judges the response.
func (o *options) runOne(ctx context.Context, c *httpprobe.Client) *check.Report {
	r := &o.request
	report := &check.Report{}
	resp, err := c.Do(ctx, r)
	if err != nil {
		var re *httpprobe.RedirectError
		var pe *phase.Error
		what := err.Error()
		if !errors.As(err, &re) && !errors.As(err, &pe) {
			what = phase.Cause(err)
		}
		var ce *httpprobe.CertError
		if o.certJudge && errors.As(err, &ce) {
			what += o.unverified(ce.Presented)
		}
		report.Findings = []check.Finding{{Status: check.CRITICAL, Text: r.Method + " " + show(r.URL) + ": " + what}}
		return report
	}
	target := r.Method + " " + show(r.URL)
	if len(resp.Redirects) > 0 {
		target += " -> " + show(resp.URL.String())
	}
	detail := fmt.Sprintf("%s %s; %s", target, resp.Status, breakdown(resp.Timings))
	findings := o.expect.CheckContext(ctx, resp)
	if o.certJudge {
		findings = append(findings, o.judgeCert(resp.Chain)...)
	}
	// The worst finding leads the message and carries the request, its
	// status line and timings; the others follow, one line each.
	sort.SliceStable(findings, func(i, j int) bool { return check.Worse(findings[i].Status, findings[j].Status) })
	for i, f := range findings {
		if i == 0 {
			f.Text += " (" + detail + ")"
		}
		report.Findings = append(report.Findings, f)
	}
	if len(report.Findings) == 0 {
		report.OKVerdict = fmt.Sprintf("%s %d", target, resp.StatusCode)
		report.Findings = []check.Finding{{Status: check.OK, Text: detail}}
	}
	return report
}

// judge holds the --cert-warning and --cert-critical thresholds.
func (o *options) judge() expiry.Judge {
	j := expiry.Judge{Now: time.Now()}
	if o.CertWarning != nil {
		j.Warning = *o.CertWarning
	}
	if o.CertCritical != nil {
		j.Critical = *o.CertCritical
	}
	return j
}

// judgeCert judges the chain the final response came over, every
// certificate of it as check-tls-expiry does, so that an intermediate that
// expires before the leaf is named. Only breaches are reported (an OK
// message stays stable), worst first.
func (o *options) judgeCert(chain []certchain.Cert) []check.Finding {
	if len(chain) == 0 {
		return []check.Finding{{Status: check.UNKNOWN, Text: "no certificate to judge: the final response did not come over TLS"}}
	}
	var out []check.Finding
	for _, v := range o.judge().Chain(chain) {
		if v.Status != check.OK {
			out = append(out, check.Finding{Status: v.Status, Text: "certificate: " + v.Text})
		}
	}
	return out
}

// unverified judges the certificates a server presented when they did not
// verify, as --insecure would, so that the days left are not lost while
// the trust is fixed: the breaches, or, when there is none, the
// certificate that expires first. The verification failure decides the
// status; this only adds to its line.
func (o *options) unverified(presented []*x509.Certificate) string {
	var texts []string
	vs := o.judge().Chain(certchain.Select(presented, certchain.Policy{NoVerify: true}).Chain)
	for _, v := range vs {
		if v.Status != check.OK {
			texts = append(texts, v.Text)
		}
	}
	if len(texts) == 0 && len(vs) > 0 {
		texts = append(texts, vs[0].Text)
	}
	if len(texts) == 0 {
		return ""
	}
	return "; not verified: " + strings.Join(texts, "; ")
}

// show is a URL as messages print it: user info and secret-looking query
// values hidden (other secrets in it are masked on the way out).
func show(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		p.User = nil
		u = p.String()
	}
	return secret.RedactURL(u)
}

// breakdown is the timing of a response, phase by phase.
func breakdown(t httpprobe.Timings) string {
	parts := []string{"dns " + phase.Seconds(t.DNS), "connect " + phase.Seconds(t.Connect)}
	if t.TLS > 0 {
		parts = append(parts, "tls "+phase.Seconds(t.TLS))
	}
	parts = append(parts, "ttfb "+phase.Seconds(t.TTFB), "body "+phase.Seconds(t.Body), "total "+phase.Seconds(t.Total))
	return strings.Join(parts, ", ")
}
