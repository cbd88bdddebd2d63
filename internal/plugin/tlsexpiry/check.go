// Package tlsexpiry is the check behind check-tls-expiry: it resolves and
// probes endpoints, reads certificate files, decides which certificate's
// expiry matters for each, and judges it against the thresholds. Evaluate
// gives that decision as data (Result); Render makes the check's message
// of it.
package tlsexpiry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
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
	endpoints := 0
	for _, t := range c.Targets {
		if !t.IsFile() {
			endpoints++
		}
	}
	switch {
	case len(c.Targets) == 0:
		return errors.New("no target: give -H HOST[:PORT], -u URL (or a URL argument), or -f FILE")
	case c.IP.IsValid() && endpoints != 1:
		return fmt.Errorf("--ip applies to exactly one endpoint, got %d: run one check per endpoint, or use --all-addresses", endpoints)
	case c.IP.IsValid() && c.AllAddresses:
		return errors.New("--ip and --all-addresses conflict: --ip connects to one address, --all-addresses to every address of the host")
	case c.ExpectFile != "" && endpoints != 1:
		return fmt.Errorf("--expect-file compares one endpoint with a file, got %d endpoints", endpoints)
	case c.IP.IsValid() && (c.Family == netdial.IPv4 && !c.IP.Is4() || c.Family == netdial.IPv6 && !c.IP.Is6()):
		return fmt.Errorf("--ip %s is not an %s address, as -4/-6 asks", c.IP, c.Family)
	}
	for _, t := range c.Targets {
		if ip, err := netip.ParseAddr(t.Host); err == nil && !c.Family.Allows(ip) {
			return fmt.Errorf("%s is not an %s address, as -4/-6 asks: drop the flag, or give an %s address", t.Host, c.Family, c.Family)
		}
	}
	if err := threshold.CheckOrder(c.Warning, c.Critical); err != nil {
		return fmt.Errorf("%v (e.g. -w 30 -c 14)", err)
	}
	return nil
}

// Check runs the whole check within ctx: Render(Evaluate(ctx)).
func Check(ctx context.Context, c *Config) *check.Report {
	return c.Render(c.Evaluate(ctx))
}
