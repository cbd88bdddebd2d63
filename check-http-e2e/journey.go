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
	}{
		{"-H", len(o.Header) > 0}, {"-d", o.Body != ""}, {"--body-file", o.BodyFile != ""}, {"--content-type", o.ContentType != ""},
		{"--user", o.User != ""}, {"-s", o.Status != ""}, {"-p", len(o.Pattern) > 0}, {"--invert-pattern", len(o.InvertPattern) > 0},
		{"--contains", len(o.Contains) > 0}, {"--jq", len(o.JQ) > 0}, {"--header-match", len(o.HeaderMatch) > 0},
		{"-w", o.Warning != nil}, {"-c", o.Critical != nil}, {"--no-follow", o.NoFollow},
		{"--cert-warning", o.CertWarning != nil}, {"--cert-critical", o.CertCritical != nil},
	} {
		if f.given {
			return fmt.Errorf("%s applies to one request (-u), not to --scenario: write it in the scenario's steps", f.flag)
		}
	}
	s, err := journey.Load(ctx, o.Scenario, o.masker)
	if err != nil {
		return err
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
	}, journey.RunOptions{Masker: o.masker, Verbose: o.Verbose})
}
