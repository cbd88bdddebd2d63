// Package tlsexpiry is the check behind check-tls-expiry: it resolves and
// probes endpoints, reads certificate files, decides which certificate's
// expiry matters for each, and judges it against the thresholds.
package tlsexpiry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/netdial"
	"github.com/frontline-sre/mackerel-frontline/internal/pool"
	"github.com/frontline-sre/mackerel-frontline/internal/threshold"
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
	return threshold.CheckOrder(c.Warning, c.Critical)
}

// outcome is a judged unit.
type outcome struct {
	findings []check.Finding
	// decider is the certificate the OK verdict names, when there is one.
	decider *certchain.Cert
	where   string
}

// Check runs the whole check within ctx: names are resolved, then every
// endpoint and file is read concurrently, then everything is judged. Judging
// after all the handshakes lets one small pool of trust anchors serve every
// endpoint.
func Check(ctx context.Context, c *Config) *check.Report {
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	units := c.units(ctx)
	probes := pool.Map(ctx, len(units), 0, func(ctx context.Context, i int) probed {
		return c.probe(ctx, units[i])
	}, func(i int, err error) probed {
		return probed{err: err, status: check.UNKNOWN}
	})

	var presented [][]*x509.Certificate
	for _, p := range probes {
		if p.res != nil {
			presented = append(presented, p.res.Certificates)
		}
	}
	v := newVerifier(c.Trust, presented, now, c.NoVerify)
	expected, expectErr := c.expected()
	j := judge{warning: c.Warning, critical: c.Critical, now: now}

	r := &check.Report{Noun: "target"}
	var first *outcome
	for i, u := range units {
		var o outcome
		switch p := probes[i]; {
		case p.err != nil && u.path != "": // file errors name the path
			o.findings = []check.Finding{{Status: p.status, Text: p.err.Error()}}
		case p.err != nil:
			o.findings = []check.Finding{{Status: p.status, Text: u.label() + ": " + p.err.Error()}}
		case p.res != nil:
			o = c.endpoint(j, u, p.res, v.verify(p.res.Certificates, c.serverName(u.target)), expected, expectErr)
		default:
			o = j.file(u, p.certs)
		}
		r.Findings = append(r.Findings, o.findings...)
		if o.decider != nil && (first == nil || o.decider.NotAfter.Before(first.decider.NotAfter)) {
			first = &o
		}
	}
	if first != nil {
		r.OKVerdict = fmt.Sprintf("%d %s, earliest expiry in %s (%s %s, %s)", len(units), check.Plural(len(units), "target"),
			Days(first.decider.NotAfter.Sub(now)), first.where, first.decider.Role, first.decider.NotAfter.UTC().Format(time.DateOnly))
	}
	return r
}
