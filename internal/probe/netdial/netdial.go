// Package netdial resolves a host and connects to it as a client would:
// within one address family if asked, trying the addresses in the
// resolver's order and moving on when one refuses or is slow to answer.
// It is small on purpose, so that an HTTP client can use it through
// http.Transport.DialContext without the STARTTLS dialects of tlsprobe.
//
// A Dialer carries its own Deadline because net/http does not pass the
// request's on: the Transport dials with a context detached from the
// request's cancellation (context.WithoutCancel), so that a connection
// still being made can serve a later request. A resolver that never
// answers would keep such a dial (and its "dns" item in the inflight
// tracker) running after the request gave up, and no timeout would name
// the phase. Set Deadline to the check's.
package netdial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
)

// Family restricts which addresses a name resolves to.
type Family int

// The families -4 and -6 choose.
const (
	AnyFamily Family = iota
	IPv4
	IPv6
)

func (f Family) network() string {
	switch f {
	case IPv4:
		return "ip4"
	case IPv6:
		return "ip6"
	}
	return "ip"
}

func (f Family) String() string {
	switch f {
	case IPv4:
		return "IPv4"
	case IPv6:
		return "IPv6"
	}
	return "IP"
}

// Allows reports whether a is of the family.
func (f Family) Allows(a netip.Addr) bool {
	a = a.Unmap()
	return f == AnyFamily || f == IPv4 && a.Is4() || f == IPv6 && a.Is6()
}

// Resolver looks names up; *net.Resolver is one. Tests inject their own,
// so that no lookup leaves the machine.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Resolve returns the addresses of host in the resolver's order (r nil is
// net.DefaultResolver). An IP literal resolves to itself. No address of the
// family asked for is a failure of the dns phase.
func Resolve(ctx context.Context, r Resolver, host string, family Family) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if !family.Allows(a) {
			return nil, inflight.StartPhase(inflight.DNS, host).Fail(ctx, fmt.Errorf("%s is not an %s address", host, family))
		}
		return []netip.Addr{a.Unmap()}, nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	t := inflight.BeginPhase(ctx, inflight.DNS, host)
	addrs, err := lookup(ctx, r, family.network(), host)
	var none *net.AddrError // the name has addresses, none of the family
	if errors.As(err, &none) {
		return nil, t.Fail(ctx, fmt.Errorf("no %s address", family))
	}
	if err != nil {
		return nil, t.Fail(ctx, err)
	}
	t.End()
	var out []netip.Addr
	for _, a := range addrs {
		if a = a.Unmap(); family.Allows(a) && !contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, t.Fail(ctx, fmt.Errorf("no %s address", family))
	}
	return out, nil
}

// lookup bounds a resolver that ignores ctx: the system's, through cgo,
// may wait out its own timeouts, and an injected one may hang.
func lookup(ctx context.Context, r Resolver, network, host string) ([]netip.Addr, error) {
	type answer struct {
		addrs []netip.Addr
		err   error
	}
	ch := make(chan answer, 1)
	goroutine.Go(func() {
		a, err := r.LookupNetIP(ctx, network, host)
		ch <- answer{a, err}
	})
	select {
	case a := <-ch:
		return a.addrs, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func contains(addrs []netip.Addr, a netip.Addr) bool {
	for _, x := range addrs {
		if x == a {
			return true
		}
	}
	return false
}

// DefaultFallbackDelay is how long an address has to answer before the
// next one is tried alongside it, as in RFC 8305 (Happy Eyeballs).
const DefaultFallbackDelay = 300 * time.Millisecond

// Dialer connects to a host's addresses as a client would.
type Dialer struct {
	Resolver Resolver // nil is net.DefaultResolver
	Family   Family
	// FallbackDelay is how long an attempt runs alone before the next
	// address is tried too; zero is DefaultFallbackDelay.
	FallbackDelay time.Duration
	// Deadline, when not zero, ends every dial at that time whatever the
	// context passed in says (see the package doc for why).
	Deadline time.Time
	// LocalAddr, when valid, is the address connections are made from
	// (a source address); the zero Addr lets the system choose. Only
	// addresses of its family can be reached from it: Dial fails when
	// Family asks for the other one, and DialAddrs leaves out the
	// addresses of the other family, failing when none is left.
	LocalAddr netip.Addr
}

func familyOf(a netip.Addr) Family {
	if a.Unmap().Is4() {
		return IPv4
	}
	return IPv6
}

// bound applies the dialer's deadline to ctx.
func (d *Dialer) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.Deadline.IsZero() {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, d.Deadline)
}

// Dial connects to host:port. The addresses are tried in the resolver's
// order, each started when the one before fails or has not answered
// within the fallback delay; the first to connect wins and the others are
// cancelled. It returns the connection and the address that answered.
// Errors are *inflight.Error: the dns phase, or the connect phase of the
// last address tried.
func (d *Dialer) Dial(ctx context.Context, host string, port int) (net.Conn, netip.AddrPort, error) {
	if port < 1 || port > 65535 {
		// uint16 below would wrap it to another port.
		return nil, netip.AddrPort{}, fmt.Errorf("port %d is not a number from 1 to 65535", port)
	}
	if d.LocalAddr.IsValid() && !d.Family.Allows(d.LocalAddr) {
		return nil, netip.AddrPort{}, fmt.Errorf("source address %s is not an %s address", d.LocalAddr, d.Family)
	}
	ctx, cancel := d.bound(ctx)
	defer cancel()
	addrs, err := Resolve(ctx, d.Resolver, host, d.Family)
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	ports := make([]netip.AddrPort, len(addrs))
	for i, a := range addrs {
		ports[i] = netip.AddrPortFrom(a, uint16(port))
	}
	return d.DialAddrs(ctx, ports)
}

// DialContext has the signature of http.Transport's DialContext. The
// Transport calls it on a goroutine of its own, so a panic in it is
// reported to goroutine's handler here (and the dial fails) rather than
// crashing the plugin.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (_ net.Conn, err error) {
	err = fmt.Errorf("dial %s did not finish", address)
	defer goroutine.Recover()
	return d.dialContext(ctx, address)
}

func (d *Dialer) dialContext(ctx context.Context, address string) (net.Conn, error) {
	host, p, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return nil, fmt.Errorf("port %q: %w", p, err)
	}
	conn, _, err := d.Dial(ctx, host, port)
	return conn, err
}

// DialAddrs connects to the first of addrs to answer, staggered as Dial
// does.
func (d *Dialer) DialAddrs(ctx context.Context, addrs []netip.AddrPort) (net.Conn, netip.AddrPort, error) {
	if len(addrs) == 0 {
		return nil, netip.AddrPort{}, errors.New("no address to connect to")
	}
	if d.LocalAddr.IsValid() {
		var err error
		if addrs, err = d.reachable(addrs); err != nil {
			return nil, netip.AddrPort{}, err
		}
	}
	ctx, stop := d.bound(ctx)
	defer stop()
	if len(addrs) == 1 {
		conn, err := d.connect(ctx, addrs[0])
		return conn, addrs[0], err
	}
	delay := d.FallbackDelay
	if delay <= 0 {
		delay = DefaultFallbackDelay
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the losers
	type attempt struct {
		conn net.Conn
		addr netip.AddrPort
		err  error
	}
	results := make(chan attempt, len(addrs))
	next, running := 0, 0
	start := func() {
		a := addrs[next]
		next++
		running++
		goroutine.Go(func() {
			conn, err := d.connect(ctx, a)
			results <- attempt{conn, a, err}
		})
	}
	start()
	timer := time.NewTimer(delay)
	defer timer.Stop()
	var last error
	for running > 0 {
		select {
		case r := <-results:
			running--
			if r.err == nil {
				cancel()
				// A loser that connected in the meantime is closed.
				losers := running
				goroutine.Go(func() {
					for ; losers > 0; losers-- {
						if l := <-results; l.conn != nil {
							l.conn.Close()
						}
					}
				})
				return r.conn, r.addr, nil
			}
			last = r.err
			if next < len(addrs) && ctx.Err() == nil {
				start()
				timer.Reset(delay)
			}
		case <-timer.C:
			if next < len(addrs) {
				start()
				timer.Reset(delay)
			}
		}
	}
	return nil, netip.AddrPort{}, last
}

// reachable returns the addresses of the source address's family, or a
// connect failure naming them when there is none.
func (d *Dialer) reachable(addrs []netip.AddrPort) ([]netip.AddrPort, error) {
	family := familyOf(d.LocalAddr)
	var out []netip.AddrPort
	for _, a := range addrs {
		if family.Allows(a.Addr()) {
			out = append(out, a)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	names := make([]string, len(addrs))
	for i, a := range addrs {
		names[i] = a.String()
	}
	return nil, &inflight.Error{Phase: inflight.Connect, Addr: strings.Join(names, " "),
		Err: fmt.Errorf("source address %s is %s and cannot reach an %s address", d.LocalAddr, family, familyOf(addrs[0].Addr()))}
}

// connect opens a TCP connection to one address, from LocalAddr when set,
// timed as the connect phase.
func (d *Dialer) connect(ctx context.Context, a netip.AddrPort) (net.Conn, error) {
	t := inflight.BeginPhase(ctx, inflight.Connect, a.String())
	var nd net.Dialer
	if d.LocalAddr.IsValid() {
		nd.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(d.LocalAddr.Unmap(), 0))
	}
	conn, err := nd.DialContext(ctx, "tcp", a.String())
	if err != nil {
		return nil, t.Fail(ctx, err)
	}
	t.End()
	return conn, nil
}
