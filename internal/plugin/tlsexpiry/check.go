// Package tlsexpiry is the check behind check-tls-expiry: it resolves and
// probes endpoints, reads certificate files, decides which certificate's
// expiry matters for each, and judges it against the thresholds. Evaluate
// gives that decision as data (Result); Render makes the check's message
// of it.
package tlsexpiry

import (
	"context"
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry/options"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// Config is one run of the check.
type Config struct {
	// Targets in command-line order: it is the order of the message.
	Targets []Target
	// SNI is the name sent and verified instead of each endpoint's host.
	SNI string
	// IP is the address to connect to instead of resolving the host.
	IP netip.Addr
	// AllAddresses probes every address the host resolves to.
	AllAddresses bool
	Family       netdial.Family
	// Resolver looks names up; nil is the system's.
	Resolver netdial.Resolver

	Warning, Critical threshold.Expiry

	NoVerify bool
	// Trust adds anchors to the system's (--ca-file).
	Trust      *certchain.Trust
	ClientCert *tls.Certificate
	// ExpectFile holds the certificate the endpoint should be serving.
	ExpectFile string

	Verbose bool
	// Now is when certificates are judged; zero means the current time.
	Now time.Time
}

// DefaultWarning and DefaultCritical are the thresholds when none is given.
var (
	DefaultWarning  = threshold.MustExpiry("30")
	DefaultCritical = threshold.MustExpiry("14")
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
