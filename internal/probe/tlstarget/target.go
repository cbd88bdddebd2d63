// Package tlstarget is a TLS target as users name it: HOST[:PORT], a URL
// whose scheme says implicit TLS or the STARTTLS protocol, or a
// certificate file. It reaches nothing: a caller that only checks command
// lines links it without a TLS stack.
package tlstarget

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// Target is one thing to judge, as the user named it.
type Target struct {
	// Host and Port locate an endpoint; Host is a name or an IP literal.
	Host string
	Port int
	// StartTLS names the plain-text protocol to upgrade from, if any.
	StartTLS string
	// Scheme is kept for the label of URL targets ("smtp://mail:587").
	Scheme string
	// Path is a certificate file (Host is then empty).
	Path string
}

// IsFile reports whether the target is a certificate file.
func (t Target) IsFile() bool { return t.Path != "" }

// Label is how messages name the target. A URL's user info is never part
// of it: it may hold a password.
func (t Target) Label() string {
	if t.IsFile() {
		return t.Path
	}
	hp := net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
	if t.Scheme != "" && t.Scheme != "https" && t.Scheme != "tls" {
		return t.Scheme + "://" + hp
	}
	if t.StartTLS != "" {
		return hp + " (" + t.StartTLS + " starttls)"
	}
	return hp
}

// Scheme is a URL scheme a target may use: implicit TLS, or a plain-text
// protocol upgraded with STARTTLS. The row whose Name is its StartTLS is
// the protocol itself, which a check's STARTTLS option accepts.
type Scheme struct {
	Name     string
	Port     int    // 0: the URL must give one
	StartTLS string // "" for implicit TLS
	Unlisted bool   // an alias help leaves out, or a scheme it names apart
}

// schemes is every scheme, in the order --help lists them: adding a
// STARTTLS protocol is a row here and its upgrader in tlsprobe (a test
// holds the two to the same protocols), and --help follows.
var schemes = []Scheme{
	{"https", 443, "", true},
	{"tls", 0, "", true},
	{"smtps", 465, "", false},
	{"imaps", 993, "", false},
	{"pop3s", 995, "", false},
	{"ldaps", 636, "", false},
	{"ftps", 990, "", false},
	{"smtp", 25, "smtp", false},
	{"submission", 587, "smtp", false},
	{"imap", 143, "imap", false},
	{"pop3", 110, "pop3", false},
	{"ftp", 21, "ftp", false},
	{"postgres", 5432, "postgres", false},
	{"postgresql", 5432, "postgres", true},
	{"ldap", 389, "ldap", false},
	{"mysql", 3306, "mysql", false},
}

// SchemeTable is every scheme, in the order help lists them.
func SchemeTable() []Scheme { return slices.Clone(schemes) }

func lookupScheme(name string) (Scheme, bool) {
	i := slices.IndexFunc(schemes, func(sc Scheme) bool { return sc.Name == name })
	if i < 0 {
		return Scheme{}, false
	}
	return schemes[i], true
}

// StartTLSPort is the standard port of a STARTTLS protocol (smtp: 25), or
// 0 for one it does not know.
func StartTLSPort(proto string) int {
	if sc, ok := lookupScheme(proto); ok && sc.StartTLS == proto {
		return sc.Port
	}
	return 0
}

// StartTLSProtocols lists the STARTTLS protocols, in the order of help.
func StartTLSProtocols() []string {
	var ps []string
	for _, sc := range schemes {
		if sc.StartTLS == sc.Name {
			ps = append(ps, sc.Name)
		}
	}
	return ps
}

// Schemes lists the URL schemes a target may use.
func Schemes() []string {
	var names []string
	for _, sc := range schemes {
		names = append(names, sc.Name)
	}
	slices.Sort(names)
	return names
}

// ParseURL reads a URL target: "https://host[:port]", "tls://host:port",
// "smtp://host:587" and the other schemes in Schemes. Anything without
// "://" is read as HOST[:PORT] with defaultPort.
func ParseURL(s string, defaultPort int) (Target, error) {
	if !strings.Contains(s, "://") {
		return ParseHost(s, defaultPort)
	}
	u, err := url.Parse(s)
	if err != nil {
		return Target{}, fmt.Errorf("cannot parse URL %q: %s", secret.RedactURL(s), secret.ParseError(s, err))
	}
	sc, ok := lookupScheme(strings.ToLower(u.Scheme))
	if !ok {
		return Target{}, fmt.Errorf("unsupported URL scheme %q in %s: use one of %s", u.Scheme, secret.RedactURL(s), strings.Join(Schemes(), ", "))
	}
	if u.Hostname() == "" {
		return Target{}, fmt.Errorf("URL %s has no host", secret.RedactURL(s))
	}
	port := sc.Port
	if p := u.Port(); p != "" {
		if port, err = parsePort(p); err != nil {
			return Target{}, fmt.Errorf("URL %s: %w", secret.RedactURL(s), err)
		}
	} else if port == 0 {
		return Target{}, fmt.Errorf("URL %s needs a port: tls://HOST:PORT", secret.RedactURL(s))
	}
	return Target{Host: u.Hostname(), Port: port, StartTLS: sc.StartTLS, Scheme: strings.ToLower(u.Scheme)}, nil
}

// ParseHost reads HOST[:PORT]: a name, an IPv4 address, or an IPv6
// address (in brackets when a port follows).
func ParseHost(s string, defaultPort int) (Target, error) {
	if s == "" {
		return Target{}, fmt.Errorf("empty host: write HOST[:PORT], e.g. www.example.com or [2001:db8::1]:8443")
	}
	host, port := s, defaultPort
	switch {
	case strings.Contains(s, "://"):
		return Target{}, fmt.Errorf("host %q is a URL: give a URL with -u or as an argument, a host as HOST[:PORT]", secret.RedactURL(s))
	case strings.Contains(s, "@"):
		// What comes before the @ may be a password: never echo it.
		return Target{}, fmt.Errorf("host \"***%s\" has user info: write HOST[:PORT]", s[strings.LastIndex(s, "@"):])
	case strings.HasPrefix(s, "["):
		end := strings.Index(s, "]")
		if end < 0 {
			return Target{}, fmt.Errorf("host %q has no closing ']'", s)
		}
		host = s[1:end]
		if rest := s[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return Target{}, fmt.Errorf("host %q: expected :PORT after ']'", s)
			}
			p, err := parsePort(rest[1:])
			if err != nil {
				return Target{}, fmt.Errorf("host %q: %w", s, err)
			}
			port = p
		}
		if ip, err := netip.ParseAddr(host); err != nil || !ip.Is6() || ip.Is4In6() {
			return Target{}, fmt.Errorf("host %q: only an IPv6 address goes in brackets", s)
		}
	case strings.Count(s, ":") == 1:
		h, p, _ := strings.Cut(s, ":")
		pp, err := parsePort(p)
		if err != nil {
			return Target{}, fmt.Errorf("host %q: %w", s, err)
		}
		host, port = h, pp
	case strings.Count(s, ":") > 1 && !isIPv6(s):
		return Target{}, fmt.Errorf("host %q is not a valid IPv6 address; with a port write [ADDRESS]:PORT", s)
	}
	if strings.HasPrefix(host, "-") {
		return Target{}, fmt.Errorf("host %q starts with '-': a flag given after \"--\", or a typo?", s)
	}
	if host == "" || strings.ContainsAny(host, "/ ") {
		return Target{}, fmt.Errorf("host %q is not a host name or address (a URL needs a scheme such as https://)", s)
	}
	return Target{Host: host, Port: port}, nil
}

// isIPv6 reports whether s is an IPv6 address, with or without a zone
// ("fe80::1%eth0": a link-local address needs one).
func isIPv6(s string) bool {
	ip, err := netip.ParseAddr(s)
	return err == nil && ip.Is6()
}

func parsePort(s string) (int, error) { return netdial.ParsePort(s) }
