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
	"sort"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/phase"
	"github.com/frontline-sre/mackerel-frontline/internal/pool"
	"github.com/frontline-sre/mackerel-frontline/internal/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/tlsprobe"
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
	Family       tlsprobe.Family

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
	case c.IP.IsValid() && (c.Family == tlsprobe.IPv4 && !c.IP.Is4() || c.Family == tlsprobe.IPv6 && !c.IP.Is6()):
		return fmt.Errorf("--ip %s is not an %s address, as -4/-6 asks", c.IP, c.Family)
	}
	return threshold.CheckOrder(c.Warning, c.Critical)
}

// unit is one thing judged on its own line: an endpoint at one address, or
// one certificate file.
type unit struct {
	target Target
	addr   netip.Addr // endpoints
	path   string     // files
	err    error      // why there is nothing to probe (dns, glob)
	status check.Status
}

// label names the unit in alerts: the address connected to is shown when
// it is not already the host.
func (u unit) label() string {
	if u.path != "" {
		return u.path
	}
	l := u.target.Label()
	if u.addr.IsValid() && u.addr.String() != u.target.Host {
		l += " [" + u.addr.String() + "]"
	}
	return l
}

// outcome is a judged unit.
type outcome struct {
	findings []check.Finding
	// decider is the certificate the OK verdict names, when there is one.
	decider *certchain.Cert
	where   string
}

// probed is a unit after its I/O: what the endpoint presented, or what the
// file holds, or why there is neither.
type probed struct {
	res    *tlsprobe.Result
	certs  []*x509.Certificate
	err    error
	status check.Status // of err
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
	}, func(i int, err *pool.PanicError) probed {
		return probed{err: err, status: check.UNKNOWN}
	})

	var presented [][]*x509.Certificate
	for _, p := range probes {
		if p.res != nil {
			presented = append(presented, p.res.Certificates)
		}
	}
	v := &verifier{trust: c.Trust, presented: presented, now: now, noVerify: c.NoVerify, done: map[string]certchain.Served{}}
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

// probe does a unit's I/O.
func (c *Config) probe(ctx context.Context, u unit) probed {
	switch {
	case u.err != nil:
		return probed{err: u.err, status: u.status}
	case u.path != "":
		certs, err := certchain.ReadFile(u.path)
		return probed{certs: certs, err: err, status: check.UNKNOWN}
	}
	ep := tlsprobe.Endpoint{
		Addr:       netip.AddrPortFrom(u.addr, uint16(u.target.Port)),
		ServerName: c.serverName(u.target),
		StartTLS:   u.target.StartTLS,
	}
	res, err := tlsprobe.Probe(ctx, ep, tlsprobe.Options{ClientCert: c.ClientCert})
	return probed{res: res, err: err, status: check.CRITICAL}
}

// units expands the targets: globs into files, hosts into the addresses to
// probe. Names are resolved concurrently, under the run's deadline.
func (c *Config) units(ctx context.Context) []unit {
	type resolved struct {
		addrs []netip.Addr
		err   error
	}
	res := pool.Map(ctx, len(c.Targets), 0, func(ctx context.Context, i int) resolved {
		t := c.Targets[i]
		switch {
		case t.IsFile():
			return resolved{}
		case c.IP.IsValid():
			return resolved{addrs: []netip.Addr{c.IP}}
		}
		a, err := tlsprobe.Resolve(ctx, t.Host, c.Family)
		if err != nil {
			return resolved{err: err}
		}
		if !c.AllAddresses {
			return resolved{addrs: a[:1]}
		}
		// Sorted, so that the lines keep their order whatever order a
		// round-robin resolver answers in.
		sort.Slice(a, func(x, y int) bool { return a[x].Less(a[y]) })
		return resolved{addrs: a}
	}, func(i int, err *pool.PanicError) resolved { return resolved{err: err} })

	var units []unit
	for i, t := range c.Targets {
		if t.IsFile() {
			paths, err := certchain.Glob(t.Path)
			if err != nil {
				units = append(units, unit{target: t, path: t.Path, err: err, status: check.UNKNOWN})
			}
			for _, p := range paths {
				units = append(units, unit{target: t, path: p})
			}
			continue
		}
		if res[i].err != nil {
			units = append(units, unit{target: t, err: res[i].err, status: check.CRITICAL})
			continue
		}
		for _, a := range res[i].addrs {
			units = append(units, unit{target: t, addr: a})
		}
	}
	return units
}

// verifier verifies what endpoints presented, with one pool of anchors for
// the whole run, built after every handshake so it holds only the anchors
// those chains can end at.
type verifier struct {
	trust     *certchain.Trust
	presented [][]*x509.Certificate
	now       time.Time
	noVerify  bool

	roots, fullRoots *x509.CertPool
	// done holds the verdict per distinct chain and name: the nodes behind
	// a name, or the names behind one wildcard certificate, present the
	// same chain, and verifying it is most of the work of judging one.
	done map[string]certchain.Served
}

func (v *verifier) verify(certs []*x509.Certificate, name string) certchain.Served {
	var key strings.Builder
	key.WriteString(name)
	for _, x := range certs {
		key.WriteByte(0)
		key.Write(x.Raw)
	}
	if served, ok := v.done[key.String()]; ok {
		return served
	}
	policy := certchain.Policy{Name: name, Now: v.now, NoVerify: v.noVerify}
	if !v.noVerify {
		if v.roots == nil {
			v.roots = v.trust.Pool(v.presented...)
		}
		policy.Roots = v.roots
	}
	served := certchain.Select(certs, policy)
	var unknown x509.UnknownAuthorityError
	if errors.As(served.VerifyErr, &unknown) {
		// The bundle lacks the anchor: look in the certificate
		// directories too before calling the chain untrusted.
		if v.fullRoots == nil {
			v.fullRoots = v.trust.FullPool(v.presented...)
		}
		policy.Roots = v.fullRoots
		served = certchain.Select(certs, policy)
	}
	v.done[key.String()] = served
	return served
}

func (c *Config) endpoint(j judge, u unit, res *tlsprobe.Result, served certchain.Served, expected *x509.Certificate, expectErr error) outcome {
	label := u.label()
	vs := j.chain(served.Chain)
	o := outcome{decider: &vs[0].cert, where: c.stableLabel(u)}
	if err := served.VerifyErr; err != nil && !(certchain.ExpiryFailure(err) && vs[0].status == check.CRITICAL) {
		o.findings = append(o.findings, check.Finding{Status: check.CRITICAL,
			Text: fmt.Sprintf("%s verification failed: %s; %s", label, verifyReason(err), vs[0].text)})
		vs = vs[1:]
	}
	o.findings = append(o.findings, nonOK(label, vs)...)
	if c.ExpectFile != "" {
		if f := compareExpected(label, c.ExpectFile, res.Certificates[0], expected, expectErr); f != nil {
			o.findings = append(o.findings, *f)
		}
	}
	if len(o.findings) > 0 {
		return o
	}
	text := label + " " + vs[0].text
	if c.Verbose {
		text += fmt.Sprintf(", %s, handshake %s", tls.VersionName(res.Version), phase.Seconds(res.Handshake))
		for _, x := range served.Unused {
			text += fmt.Sprintf("; not on the verified chain, not judged: %s expiring %s", x.Describe(), stamp(x.NotAfter))
		}
	}
	o.findings = []check.Finding{{Status: check.OK, Text: text}}
	return o
}

func (j judge) file(u unit, certs []*x509.Certificate) outcome {
	chain := make([]certchain.Cert, len(certs))
	for i, x := range certs {
		chain[i] = certchain.Cert{Certificate: x, Role: certchain.RoleOf(x)}
	}
	vs := j.chain(chain)
	o := outcome{decider: &vs[0].cert, where: u.path, findings: nonOK(u.path, vs)}
	if len(o.findings) == 0 {
		o.findings = []check.Finding{{Status: check.OK, Text: u.path + " " + vs[0].text}}
	}
	return o
}

func nonOK(label string, vs []verdict) []check.Finding {
	var fs []check.Finding
	for _, v := range vs {
		if v.status != check.OK {
			fs = append(fs, check.Finding{Status: v.status, Text: label + " " + v.text})
		}
	}
	return fs
}

// serverName is the name sent as SNI and verified: --sni, else the host.
func (c *Config) serverName(t Target) string {
	if c.SNI != "" {
		return c.SNI
	}
	return t.Host
}

// stableLabel names a unit in the OK verdict, which must not change from
// run to run: the address is left out unless every address is probed,
// because a round-robin resolver answers with a different first address.
func (c *Config) stableLabel(u unit) string {
	if c.AllAddresses {
		return u.label()
	}
	return u.target.Label()
}

// verifyReason says why verification failed in words a responder can act on.
func verifyReason(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return "no chain to a trusted root (an unknown CA, or the server does not send its intermediate; --ca-file adds a private CA)"
	case errors.As(err, &host):
		return "hostname mismatch: " + phase.Cause(err)
	}
	return phase.Cause(err)
}

// expected reads the --expect-file leaf once for every endpoint unit.
func (c *Config) expected() (*x509.Certificate, error) {
	if c.ExpectFile == "" {
		return nil, nil
	}
	certs, err := certchain.ReadFile(c.ExpectFile)
	if err != nil {
		return nil, err
	}
	for _, x := range certs {
		if !x.IsCA {
			return x, nil
		}
	}
	return certs[0], nil
}

// compareExpected finds a certificate renewed on disk that the listener has
// not loaded yet: a reload away from an outage that the expiry alone
// reports too late.
func compareExpected(label, path string, served, onDisk *x509.Certificate, readErr error) *check.Finding {
	if readErr != nil {
		return &check.Finding{Status: check.UNKNOWN, Text: fmt.Sprintf("%s: --expect-file: %v", label, readErr)}
	}
	if served.Equal(onDisk) || !onDisk.NotAfter.After(served.NotAfter) {
		return nil
	}
	return &check.Finding{Status: check.WARNING, Text: fmt.Sprintf(
		"%s renewed on disk (%s, NotAfter %s) but the listener still serves the old certificate (NotAfter %s): reload the server",
		label, path, stamp(onDisk.NotAfter), stamp(served.NotAfter))}
}
