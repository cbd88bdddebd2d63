package httpcheck

import (
	"context"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// prepareJourney loads --scenario: every problem with it is a usage
// error found before any request is sent.
func (o *Options) prepareJourney(ctx context.Context) error {
	if err := o.CheckScenarioFlags(); err != nil {
		return err
	}
	s, err := loadScenario(ctx, o.Scenario, o.masker)
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
