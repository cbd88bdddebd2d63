package httpcheck

import (
	"context"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// prepareJourney loads --scenario: every problem with it is a usage
// error found before any request is sent.
func (o *Options) prepareJourney(ctx context.Context) error {
	// Each flag of the one request names what to write in the scenario
	// instead; the README's scenario reference lists the same.
	for _, f := range []struct {
		flag  string
		given bool
		key   string
	}{
		{"-m", o.Method != "", "the method in each step: get: /path, post: /path, or method: with url:"},
		{"-H", len(o.Header) > 0, "headers: {Name: value} at the top level or in a step"},
		{"-d", o.Body != "", "body: in a step"},
		{"--body-file", o.BodyFile != "", `body: "${file:PATH}" in a step`},
		{"--content-type", o.ContentType != "", "headers: {Content-Type: TYPE} in a step"},
		{"--user", o.User != "", "the user and password in base_url, https://USER:${env:PASSWORD}@host"},
		{"-s", o.Status != "", "status: under a step's expect:"},
		{"-p", len(o.Pattern) > 0, "regex: under a step's expect:"},
		{"--invert-pattern", len(o.InvertPattern) > 0, "not_regex: under a step's expect:"},
		{"--contains", len(o.Contains) > 0, "contains: under a step's expect:"},
		{"--jq", len(o.JQ) > 0, "jq: under a step's expect:"},
		{"--header-match", len(o.HeaderMatch) > 0, "header: {Name: RE} under a step's expect:"},
		{"-w", o.Warning != nil, "max_time: under a step's expect:, with severity: warning on the step"},
		{"-c", o.Critical != nil, "max_time: under a step's expect:"},
		{"--no-follow", o.NoFollow, "follow_redirects: false in a step"},
		{"--cert-warning", o.CertWarning != nil, "cert_warning: at the top level (every step over TLS) or in a step"},
		{"--cert-critical", o.CertCritical != nil, "cert_critical: at the top level (every step over TLS) or in a step"},
	} {
		if f.given {
			return fmt.Errorf("%s applies to one request (-u), not to --scenario: write %s", f.flag, f.key)
		}
	}
	s, err := Load(ctx, o.Scenario, o.masker)
	if err != nil {
		return err
	}
	// The request options that are not the steps' own apply to every
	// step, as they do to the one request of -u.
	var r httpprobe.Request
	if err := o.limits(&r); err != nil {
		return err
	}
	if o.MaxBody != nil {
		if err := s.SetMaxBody(r.MaxBody); err != nil {
			return err
		}
	}
	if o.MaxRedirects != nil {
		if err := s.SetMaxRedirects(r.MaxRedirects); err != nil {
			return err
		}
	}
	o.journey = s
	return nil
}
