// Package certexpiry evaluates TLS targets: it resolves and probes
// endpoints, reads certificate files, decides which certificate's expiry
// matters for each, and judges it against the thresholds. The decision is
// data (Result): check-tls-expiry words it as an alert, mackerel-plugin-app
// graphs its days, so the two never disagree on which certificate decides.
package certexpiry

import (
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlstarget"
)

// Config is what Evaluate probes and judges.
type Config struct {
	// Targets in the order given: it is the order of the results.
	Targets []tlstarget.Target
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
	// Trust adds anchors to the system's.
	Trust      *certchain.Trust
	ClientCert *tls.Certificate

	// Now is when certificates are judged; zero means the current time.
	Now time.Time
}

// DefaultWarning and DefaultCritical are check-tls-expiry's thresholds
// when none is given; the graphs judge with them too, so that the same
// certificate decides.
var (
	DefaultWarning  = threshold.MustExpiry("30")
	DefaultCritical = threshold.MustExpiry("14")
)
