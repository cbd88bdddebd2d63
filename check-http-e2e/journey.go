package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/journey"
)

// prepareJourney loads --scenario: every problem with it is a usage
// error found before any request is sent.
func (o *options) prepareJourney(ctx context.Context) error {
	for _, f := range []struct {
		flag  string
		given bool
		hint  string
	}{
		{"-m", o.Method != "", "give each step its method: get: /path, post: /path, or method: with url:"},
		{"-H", len(o.Header) > 0, "write the header under headers:, of the scenario or of a step"},
		{"-d", o.Body != "", "write the step's body:, form: or json:"},
		{"--body-file", o.BodyFile != "", "write the step's body: \"${file:PATH}\""},
		{"--content-type", o.ContentType != "", "write Content-Type under the step's headers:"},
		{"--user", o.User != "", "write an Authorization header under headers:, or user info in the step's URL"},
		{"-s", o.Status != "", "write expect: {status: ...} in the step"},
		{"-p", len(o.Pattern) > 0, "write expect: {regex: ...} in the step"},
		{"--invert-pattern", len(o.InvertPattern) > 0, "write expect: {not_regex: ...} in the step"},
		{"--contains", len(o.Contains) > 0, "write expect: {contains: ...} in the step"},
		{"--jq", len(o.JQ) > 0, "write expect: {jq: ...} in the step"},
		{"--header-match", len(o.HeaderMatch) > 0, "write expect: {header: {Name: RE}} in the step"},
		{"-w", o.Warning != nil, "write expect: {max_time: ...} in a step with severity: warning"},
		{"-c", o.Critical != nil, "write expect: {max_time: ...} in the step"},
		{"--no-follow", o.NoFollow, "write follow_redirects: false in the step"},
		{"--cert-warning", o.CertWarning != nil, "write it in the scenario's steps"},
		{"--cert-critical", o.CertCritical != nil, "write it in the scenario's steps"},
	} {
		if f.given {
			return fmt.Errorf("%s applies to one request (-u), not to --scenario: %s", f.flag, f.hint)
		}
	}
	s, err := journey.Load(ctx, o.Scenario, &o.masker)
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

// runJourney runs the scenario with the client the flags describe, one
// cookie jar for all its steps.
func (o *options) runJourney(ctx context.Context) *check.Report {
	return o.journey.Run(ctx, func(jar http.CookieJar, deadline time.Time) (journey.Client, error) {
		c := o.client
		c.Jar = jar
		if !deadline.IsZero() && (c.Deadline.IsZero() || deadline.Before(c.Deadline)) {
			c.Deadline = deadline
		}
		return httpprobe.New(c)
	}, journey.RunOptions{Masker: &o.masker, Verbose: o.Verbose})
}
