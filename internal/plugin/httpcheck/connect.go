package httpcheck

import (
	"fmt"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// splitFields splits s at colons outside brackets: "[::1]:443:h:80".
func splitFields(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ':':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// port reads a port field; empty (any port) only where allowed.
func port(s string, empty bool) (int, error) {
	if s == "" {
		if empty {
			return 0, nil
		}
		return 0, fmt.Errorf("no port")
	}
	return netdial.ParsePort(s)
}

// parseConnectTo reads curl's --connect-to HOST1:PORT1:HOST2:PORT2, where
// any part may be empty.
func parseConnectTo(s string) (httpprobe.ConnectTo, error) {
	bad := fmt.Errorf("--connect-to %q: write HOST1:PORT1:HOST2:PORT2 (parts may be empty, IPv6 in brackets), as in example.com:443:127.0.0.1:8443", s)
	f := splitFields(s)
	if len(f) != 4 {
		return httpprobe.ConnectTo{}, bad
	}
	p1, err := port(f[1], true)
	if err != nil {
		return httpprobe.ConnectTo{}, fmt.Errorf("--connect-to %q: %v", s, err)
	}
	p2, err := port(f[3], true)
	if err != nil {
		return httpprobe.ConnectTo{}, fmt.Errorf("--connect-to %q: %v", s, err)
	}
	return httpprobe.ConnectTo{Host: strings.Trim(f[0], "[]"), Port: p1, ToHost: strings.Trim(f[2], "[]"), ToPort: p2}, nil
}

// parseResolve reads curl's --resolve HOST:PORT:ADDR.
func parseResolve(s string) (httpprobe.ConnectTo, error) {
	bad := fmt.Errorf("--resolve %q: write HOST:PORT:ADDR, as in example.com:443:127.0.0.1", s)
	f := splitFields(s)
	if len(f) < 3 || f[0] == "" || f[2] == "" {
		return httpprobe.ConnectTo{}, bad
	}
	addr := strings.Trim(strings.Join(f[2:], ":"), "[]")
	p, err := port(f[1], false)
	if err != nil {
		return httpprobe.ConnectTo{}, fmt.Errorf("--resolve %q: %v: write HOST:PORT:ADDR, as in example.com:443:127.0.0.1", s, err)
	}
	return httpprobe.ConnectTo{Host: strings.Trim(f[0], "[]"), Port: p, ToHost: addr}, nil
}
