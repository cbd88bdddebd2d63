package testutil

import (
	"context"
	"net"
	"net/netip"
)

// Hosts is a resolver over a fixed table, for code that takes an injected
// resolver (netdial.Resolver), so that no lookup leaves the machine. A name
// it lacks never answers, like a DNS server that drops the query.
type Hosts map[string][]string

// LookupNetIP answers with the table's addresses of the family asked for
// ("ip", "ip4", "ip6"), in the table's order.
func (h Hosts) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	addrs, ok := h[host]
	if !ok {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	var out []netip.Addr
	for _, a := range addrs {
		ip := netip.MustParseAddr(a)
		if network == "ip" || network == "ip4" && ip.Is4() || network == "ip6" && ip.Is6() {
			out = append(out, ip)
		}
	}
	if len(out) == 0 {
		return nil, &net.AddrError{Err: "no suitable address", Addr: host}
	}
	return out, nil
}
