// Package tlsexpiry is the check behind check-tls-expiry: certexpiry
// evaluates the targets, and Render makes the check's message of the
// results.
package tlsexpiry

import (
	"context"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/certexpiry"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry/options"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlstarget"
)

// Config is one run of the check: what is evaluated, and what the message
// adds to the results.
type Config struct {
	certexpiry.Config
	// ExpectFile holds the certificate the endpoint should be serving.
	ExpectFile string
	Verbose    bool
}

// Target is one thing to judge, as the user named it.
type Target = tlstarget.Target

// Result is one judged unit; see certexpiry.Result.
type Result = certexpiry.Result

// DefaultWarning and DefaultCritical are the thresholds when none is given.
var (
	DefaultWarning  = certexpiry.DefaultWarning
	DefaultCritical = certexpiry.DefaultCritical
)

// Validate reports usage errors: what cannot be run as asked.
func (c *Config) Validate() error {
	s := options.Settings{Targets: c.Targets, IP: c.IP, AllAddresses: c.AllAddresses, Family: c.Family,
		Warning: c.Warning, Critical: c.Critical, ExpectFile: c.ExpectFile}
	return s.Validate()
}

// Check runs the whole check within ctx: Render(Evaluate(ctx)).
func Check(ctx context.Context, c *Config) *check.Report {
	return c.Render(c.Evaluate(ctx))
}
