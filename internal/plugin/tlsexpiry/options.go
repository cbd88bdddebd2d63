package tlsexpiry

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netflags"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsclient"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsprobe"
)

// Command names the binary: its usage line, and the tag of its messages.
var Command = cli.Plugin{
	Name:  "check-tls-expiry",
	Tag:   "TLS",
	Usage: "[OPTIONS] [URL|HOST[:PORT]...]",
}

// Options are check-tls-expiry's flags; Prepare turns them into a Config
// and Run checks it: a cli.Check.
type Options struct {
	cli.CheckOptions

	// Targets are callbacks so that -H, -u and -f keep the order they
	// were given in: it is the order of the message.
	Host func(string)       `short:"H" long:"host" value-name:"HOST[:PORT]" description:"TLS endpoint (repeatable); port from -p; IPv6 in brackets"`
	URL  func(string)       `short:"u" long:"url" value-name:"URL" description:"https://HOST[:PORT], tls://HOST:PORT; implicit TLS: smtps, imaps, pop3s, ldaps, ftps; STARTTLS: smtp, submission, imap, pop3, ftp, postgres, ldap, mysql (repeatable; also as arguments)"`
	File func(string)       `short:"f" long:"file" value-name:"PATH|GLOB" description:"PEM or DER certificate file; every certificate in a bundle is judged (repeatable)"`
	Port func(string) error `short:"p" long:"port" value-name:"N" description:"port for targets that name none (default 443, or the --starttls protocol's: 25, 143, 110, 21, 5432, 389, 3306)"`

	StartTLS     string `long:"starttls" value-name:"PROTO" description:"STARTTLS for targets given without a scheme: smtp, imap, pop3, ftp, postgres, ldap, mysql"`
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

	raw    []rawTarget
	port   int // 0 when -p is not given
	config Config
}

type rawTarget struct {
	flag, value string
}

// NewOptions returns the options before any flag is parsed.
func NewOptions() *Options {
	o := &Options{}
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
	return o
}

// Prepare reads the targets and files the flags name; an error is a usage
// error that says how to fix it.
func (o *Options) Prepare(ctx context.Context, args []string) error {
	for _, a := range args {
		o.raw = append(o.raw, rawTarget{"-u", a})
	}
	c := &o.config
	port := 443
	if o.StartTLS != "" {
		if err := tlsprobe.CheckStartTLS(o.StartTLS); err != nil {
			return fmt.Errorf("--starttls: %w", err)
		}
		port = StartTLSPort(o.StartTLS)
	}
	if o.port != 0 {
		port = o.port
	}
	for _, r := range o.raw {
		var t Target
		var err error
		switch r.flag {
		case "-H":
			t, err = ParseHost(r.value, port)
			t.StartTLS = o.StartTLS
		case "-u":
			t, err = ParseURL(r.value, port)
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
			return err
		}
		c.Targets = append(c.Targets, t)
	}

	family, err := o.Family()
	if err != nil {
		return err
	}
	c.Family = family
	if o.IP != "" {
		ip, err := netip.ParseAddr(strings.Trim(o.IP, "[]"))
		if err != nil {
			return fmt.Errorf("--ip %q is not an IP address", o.IP)
		}
		c.IP = ip.Unmap()
	}
	c.SNI = o.SNI
	c.AllAddresses = o.AllAddresses
	c.Warning, c.Critical = o.Warning, o.Critical
	c.NoVerify = o.NoVerify.NoVerify || o.NoCheckCertificate
	c.ExpectFile = o.ExpectFile
	c.Verbose = o.Verbose

	skip := o.NoVerify.Skip()
	if o.NoCheckCertificate {
		skip = "--no-verify"
	}
	c.Trust, c.ClientCert, err = tlsclient.Load(ctx, o.TLSClient, skip)
	if err != nil {
		return err
	}
	return c.Validate()
}

// FlagHelp says what --no-verify means to a check of expiry.
func (o *Options) FlagHelp() map[string]string {
	return map[string]string{"no-verify": "skip chain and hostname verification; the earliest expiry among the presented certificates decides"}
}

// Run checks what Prepare read.
func (o *Options) Run(ctx context.Context) *check.Report {
	return Check(ctx, &o.config)
}

// ParseArgs validates a command line of check-tls-expiry as the binary
// does, reading the files it names but reaching no endpoint: the error is
// what the binary prints after "TLS UNKNOWN: ", or cli.ErrDone for --help
// and --version.
func ParseArgs(args []string) (*Options, error) {
	o := NewOptions()
	return o, cli.Prepare(context.Background(), Command, o, args, io.Discard)
}
