package main

import (
	"context"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/secret"
)

// journeyRunner runs a loaded scenario.
type journeyRunner func(ctx context.Context, c *httpprobe.Client, masker *secret.Masker) *check.Report

// prepareJourney loads --scenario.
func (o *options) prepareJourney(ctx context.Context) error {
	return fmt.Errorf("--scenario is not available in this build")
}
