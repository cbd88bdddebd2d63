package netdial

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
)

// ParsePort reads a TCP port, a number from 1 to 65535. Every port a user
// writes (a URL's, --resolve's, --connect-to's, a proxy's, a target's in a
// config file) is read through it or through CheckURLPort: url.Parse takes
// any run of digits, and a port past 65535 would otherwise wrap to
// another port (83596 to 18060) and report on a service nobody named.
func ParsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return p, nil
}

// CheckURLPort refuses a URL whose port, when it has one, is out of
// range; the error quotes only the port, never the URL (it may carry
// credentials).
func CheckURLPort(u *url.URL) error {
	if p := u.Port(); p != "" {
		_, err := ParsePort(p)
		return err
	}
	// "http://h:/" has an empty port, which is the scheme's default.
	return nil
}

// CheckLocal refuses a source address this host does not have: binding to
// it would fail on every connection, a mistake in the command line that
// must not read as the target being down. It binds a UDP socket, which
// sends nothing.
func CheckLocal(a netip.Addr) error {
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(a, 0)))
	if err != nil {
		var se *os.SyscallError
		if errors.As(err, &se) {
			err = se.Err
		}
		return fmt.Errorf("%s is not an address of this host (%v)", a, err)
	}
	return c.Close()
}
