package tlsexpiry

import (
	"context"
	"crypto/x509"
	"net/netip"
	"sort"

	"github.com/frontline-sre/mackerel-frontline/internal/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/netdial"
	"github.com/frontline-sre/mackerel-frontline/internal/pool"
	"github.com/frontline-sre/mackerel-frontline/internal/tlsprobe"
)

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

// probed is a unit after its I/O: what the endpoint presented, or what the
// file holds, or why there is neither.
type probed struct {
	res    *tlsprobe.Result
	certs  []*x509.Certificate
	err    error
	status check.Status // of err
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
		a, err := netdial.Resolve(ctx, nil, t.Host, c.Family)
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
	}, func(i int, err error) resolved { return resolved{err: err} })

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
