package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/expiry"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// runOne sends the request of the flags and judges the response.
func (o *options) runOne(ctx context.Context, c *httpprobe.Client) *check.Report {
	r := &o.request
	report := &check.Report{}
	resp, err := c.Do(ctx, r)
	if err != nil {
		var re *httpprobe.RedirectError
		var pe *inflight.Error
		what := err.Error()
		if !errors.As(err, &re) && !errors.As(err, &pe) {
			what = inflight.Cause(err)
		}
		var ce *httpprobe.CertError
		if o.certJudge && errors.As(err, &ce) {
			what += o.judge().Unverified(ce.Presented)
		}
		report.Findings = []check.Finding{{Status: check.CRITICAL, Text: r.Method + " " + show(r.URL) + ": " + what}}
		return report
	}
	target := r.Method + " " + show(r.URL)
	if len(resp.Redirects) > 0 {
		target += " -> " + show(resp.URL.String())
	}
	timings := breakdown(resp.Timings)
	if o.Verbose {
		timings = resp.Proto + ", " + timings
	}
	detail := fmt.Sprintf("%s %s; %s", target, resp.Status, timings)
	findings := o.expect.CheckContext(ctx, resp)
	if o.certJudge {
		findings = append(findings, o.judge().Breaches(resp.Chain)...)
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
	parts := []string{"dns " + textfmt.Seconds(t.DNS), "connect " + textfmt.Seconds(t.Connect)}
	if t.TLS > 0 {
		parts = append(parts, "tls "+textfmt.Seconds(t.TLS))
	}
	parts = append(parts, "ttfb "+textfmt.Seconds(t.TTFB), "body "+textfmt.Seconds(t.Body), "total "+textfmt.Seconds(t.Total))
	return strings.Join(parts, ", ")
}
