// Package options is check-tls-expiry's command line: its flags, and the
// syntax of every value, parsed and checked without reaching an endpoint
// or reading a file. The tlsexpiry package reads the files the flags name
// and runs the check; a caller that only validates command lines (the
// catalog) links this package alone, and no TLS stack.
package options

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netflags"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlstarget"
)

// Command names the binary: its usage line, and the tag of its messages.
var Command = cli.Plugin{
	Name:  "check-tls-expiry",
	Tag:   "TLS",
	Usage: "[OPTIONS] [URL|HOST[:PORT]...]",
}

// Flags are check-tls-expiry's flags. Init them before parsing.
type Flags struct {
	cli.CheckOptions

	// Targets are callbacks so that -H, -u and -f keep the order they
	// were given in: it is the order of the message.
	Host func(string)       `short:"H" long:"host" value-name:"HOST[:PORT]" description:"TLS endpoint (repeatable); port from -p; IPv6 in brackets"`
	URL  func(string)       `short:"u" long:"url" value-name:"URL"`
	File func(string)       `short:"f" long:"file" value-name:"PATH|GLOB" description:"PEM or DER certificate file; every certificate in a bundle is judged (repeatable)"`
	Port func(string) error `short:"p" long:"port" value-name:"N"`

	StartTLS     string `long:"starttls" value-name:"PROTO"`
	SNI          string `long:"sni" value-name:"NAME" description:"server name to send and verify, when it differs from the host connected to"`
	IP           string `long:"ip" value-name:"ADDR" description:"connect to ADDR instead of resolving the host; the host (or --sni) stays the name verified"`
	AllAddresses bool   `long:"all-addresses" description:"handshake with every A/AAAA address of the host, one line each"`
	netflags.AddressFamily

	Warning  threshold.Expiry `short:"w" long:"warning" default:"30" value-name:"DAYS|DURATION|PCT%" description:"WARNING below this much validity left: days (0.5 allowed), a duration (36h, 10d), or a percentage of the lifetime (20%)"`
	Critical threshold.Expiry `short:"c" long:"critical" default:"14" value-name:"DAYS|DURATION|PCT%" description:"CRITICAL below this much validity left; not more than -w"`

	netflags.NoVerify
	NoCheckCertificate bool `long:"no-check-certificate" description:"same as --no-verify"`
	netflags.TLSClient
	ExpectFile string `long:"expect-file" value-name:"PATH" description:"certificate the endpoint should serve; WARNING when the file's is newer: renewed on disk but not reloaded"`

	raw  []rawTarget
	port int // 0 when -p is not given
}

type rawTarget struct {
	flag, value string
}

// Init makes the callbacks of the flags that keep their order; o must
// not move after (it is embedded by value, and the callbacks hold it).
func (o *Flags) Init() {
	o.Host = func(v string) { o.raw = append(o.raw, rawTarget{"-H", v}) }
	o.URL = func(v string) { o.raw = append(o.raw, rawTarget{"-u", v}) }
	o.File = func(v string) { o.raw = append(o.raw, rawTarget{"-f", v}) }
	o.Port = func(v string) error {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("-p %s is not a port from 1 to 65535", v)
		}
		o.port = p
		return nil
	}
}

// FlagHelp says what --no-verify means to a check of expiry, and lists
// the schemes in the help of -u, -p and --starttls.
func (o *Flags) FlagHelp() map[string]string {
	h := schemeHelp()
	h["no-verify"] = "skip chain and hostname verification; the earliest expiry among the presented certificates decides"
	return h
}

// schemeHelp is the help of -u, -p and --starttls, from the scheme table.
func schemeHelp() map[string]string {
	var implicit, upgraded, protos, ports []string
	for _, sc := range tlstarget.SchemeTable() {
		if sc.StartTLS == sc.Name {
			protos = append(protos, sc.Name)
			ports = append(ports, strconv.Itoa(sc.Port))
		}
		switch {
		case sc.Unlisted:
		case sc.StartTLS == "":
			implicit = append(implicit, sc.Name)
		default:
			upgraded = append(upgraded, sc.Name)
		}
	}
	return map[string]string{
		"url":      "https://HOST[:PORT], tls://HOST:PORT; implicit TLS: " + strings.Join(implicit, ", ") + "; STARTTLS: " + strings.Join(upgraded, ", ") + " (repeatable; also as arguments)",
		"port":     "port for targets that name none (default 443, or the --starttls protocol's: " + strings.Join(ports, ", ") + ")",
		"starttls": "STARTTLS for targets given without a scheme: " + strings.Join(protos, ", "),
	}
}

// Skip names the flag that turned verification off, "" when it is on.
func (o *Flags) Skip() string {
	if o.NoCheckCertificate {
		return "--no-verify"
	}
	return o.NoVerify.Skip()
}

// Settings are what the flags ask for, read but not yet checked against
// each other.
type Settings struct {
	Targets      []tlstarget.Target
	SNI          string
	IP           netip.Addr
	AllAddresses bool
	Family       netdial.Family

	Warning, Critical threshold.Expiry

	NoVerify   bool
	ExpectFile string
	Verbose    bool
}

// Settings reads the targets (the flags' and args, the positional
// arguments) and the values of the flags; an error is a usage error that
// says how to fix it.
func (o *Flags) Settings(args []string) (Settings, error) {
	for _, a := range args {
		o.raw = append(o.raw, rawTarget{"-u", a})
	}
	var s Settings
	port := 443
	if o.StartTLS != "" {
		if err := CheckStartTLS(o.StartTLS); err != nil {
			return s, fmt.Errorf("--starttls: %w", err)
		}
		port = tlstarget.StartTLSPort(o.StartTLS)
	}
	if o.port != 0 {
		port = o.port
	}
	for _, r := range o.raw {
		var t tlstarget.Target
		var err error
		switch r.flag {
		case "-H":
			t, err = tlstarget.ParseHost(r.value, port)
			t.StartTLS = o.StartTLS
		case "-u":
			t, err = tlstarget.ParseURL(r.value, port)
			switch {
			case err != nil || o.StartTLS == "":
			case t.Scheme == "":
				t.StartTLS = o.StartTLS
			case t.StartTLS != o.StartTLS:
				err = fmt.Errorf("--starttls %s conflicts with %s://%s, whose scheme says the protocol: drop one of them", o.StartTLS, t.Scheme, net.JoinHostPort(t.Host, strconv.Itoa(t.Port)))
			}
		case "-f":
			if r.value == "" {
				err = fmt.Errorf("-f needs a path or glob")
			}
			t.Path = r.value
		}
		if err != nil {
			return s, err
		}
		s.Targets = append(s.Targets, t)
	}

	family, err := o.Family()
	if err != nil {
		return s, err
	}
	s.Family = family
	if o.IP != "" {
		ip, err := netip.ParseAddr(strings.Trim(o.IP, "[]"))
		if err != nil {
			return s, fmt.Errorf("--ip %q is not an IP address", o.IP)
		}
		s.IP = ip.Unmap()
	}
	s.SNI = o.SNI
	s.AllAddresses = o.AllAddresses
	s.Warning, s.Critical = o.Warning, o.Critical
	s.NoVerify = o.NoVerify.NoVerify || o.NoCheckCertificate
	s.ExpectFile = o.ExpectFile
	s.Verbose = o.Verbose
	return s, nil
}

// Validate reports usage errors: what cannot be run as asked.
func (s *Settings) Validate() error {
	endpoints := 0
	for _, t := range s.Targets {
		if !t.IsFile() {
			endpoints++
		}
	}
	switch {
	case len(s.Targets) == 0:
		return errors.New("no target: give -H HOST[:PORT], -u URL (or a URL argument), or -f FILE")
	case s.IP.IsValid() && endpoints != 1:
		return fmt.Errorf("--ip applies to exactly one endpoint, got %d: run one check per endpoint, or use --all-addresses", endpoints)
	case s.IP.IsValid() && s.AllAddresses:
		return errors.New("--ip and --all-addresses conflict: --ip connects to one address, --all-addresses to every address of the host")
	case s.ExpectFile != "" && endpoints != 1:
		return fmt.Errorf("--expect-file compares one endpoint with a file, got %d endpoints", endpoints)
	case s.IP.IsValid() && (s.Family == netdial.IPv4 && !s.IP.Is4() || s.Family == netdial.IPv6 && !s.IP.Is6()):
		return fmt.Errorf("--ip %s is not an %s address, as -4/-6 asks", s.IP, s.Family)
	}
	for _, t := range s.Targets {
		if ip, err := netip.ParseAddr(t.Host); err == nil && !s.Family.Allows(ip) {
			return fmt.Errorf("%s is not an %s address, as -4/-6 asks: drop the flag, or give an %s address", t.Host, s.Family, s.Family)
		}
	}
	if err := threshold.CheckOrder(s.Warning, s.Critical); err != nil {
		return fmt.Errorf("%v (e.g. -w 30 -c 14)", err)
	}
	return nil
}

// StartTLSProtocols lists the protocols --starttls accepts: those of the
// URL schemes that upgrade with STARTTLS.
func StartTLSProtocols() []string {
	var ps []string
	for _, sc := range tlstarget.SchemeTable() {
		if sc.StartTLS != "" && !slices.Contains(ps, sc.StartTLS) {
			ps = append(ps, sc.StartTLS)
		}
	}
	slices.Sort(ps)
	return ps
}

// CheckStartTLS refuses a --starttls protocol the check does not speak.
func CheckStartTLS(proto string) error {
	if proto != "" && !slices.Contains(StartTLSProtocols(), proto) {
		return fmt.Errorf("unknown STARTTLS protocol %q: use one of %s", proto, strings.Join(StartTLSProtocols(), ", "))
	}
	return nil
}

// Prepare checks a command line of check-tls-expiry as the binary does
// before it reads a file: every flag's syntax, the flags refused
// together, the targets and thresholds. The files the flags name
// (--ca-file, -f, --expect-file) are the host's that runs the check:
// tlsexpiry's Prepare, which the binary runs, reads them.
func (o *Flags) Prepare(_ context.Context, args []string) error {
	s, err := o.Settings(args)
	if err != nil {
		return err
	}
	if err := o.TLSClient.Check(o.Skip()); err != nil {
		return err
	}
	return s.Validate()
}

// ParseArgs checks a command line of check-tls-expiry meant for another
// host, reading no file: the error is what the binary prints after
// "TLS UNKNOWN: ", or cli.ErrDone for --help and --version.
func ParseArgs(args []string) (*Flags, error) {
	o := &Flags{}
	o.Init()
	return o, cli.Prepare(context.Background(), Command, o, args, io.Discard)
}
