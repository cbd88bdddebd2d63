package httpcheck

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netflags"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsclient"
)

// Command names check-http-e2e to the runner: its usage line and the tag
// of its messages.
var Command = cli.Plugin{
	Name:  "check-http-e2e",
	Tag:   "HTTP",
	Usage: "[OPTIONS] -u URL | --scenario FILE",
}

// maxBodyFile caps --body-file: a request body, not an upload.
const maxBodyFile = 16 << 20

// Options are check-http-e2e's flags; NewOptions gives them ready for the
// runner (cli.RunCheck), ParseArgs checks a command line without a probe.
type Options struct {
	cli.CheckOptions

	URL         string   `short:"u" long:"url" value-name:"URL" description:"the URL to request (http:// or https://); user info in it is sent as basic auth and never printed"`
	Method      string   `short:"m" long:"method" value-name:"METHOD" description:"request method (default GET)"`
	Header      []string `short:"H" long:"header" unquote:"false" value-name:"'NAME: VALUE'" description:"request header (repeatable); Host: sets the host sent; values may be ${env:NAME} or ${file:PATH}"`
	Body        string   `short:"d" long:"body" unquote:"false" value-name:"TEXT" description:"request body; may be ${env:NAME} or ${file:PATH}"`
	BodyFile    string   `long:"body-file" value-name:"PATH" description:"request body from a file"`
	ContentType string   `long:"content-type" value-name:"TYPE" description:"Content-Type of the request body"`
	User        string   `long:"user" unquote:"false" value-name:"USER[:PASS]" description:"basic auth; either part may be ${env:NAME} or ${file:PATH}"`

	Status        string        `short:"s" long:"status" value-name:"SPEC" description:"expected status: 200, 2xx, 200-399, comma lists, or CODE[-CODE]=ok|warning|critical mappings (default 200-399 OK, anything else CRITICAL)"`
	Pattern       []string      `short:"p" long:"pattern" unquote:"false" value-name:"RE" description:"the body must match this regular expression (repeatable)"`
	InvertPattern []string      `long:"invert-pattern" unquote:"false" value-name:"RE" description:"the body must not match this regular expression (repeatable)"`
	Contains      []string      `long:"contains" unquote:"false" value-name:"TEXT" description:"the body must contain this text (repeatable)"`
	JQ            []string      `long:"jq" unquote:"false" value-name:"EXPR" description:"jq expression over the JSON body that must yield true, e.g. '.status == \"ok\"' (repeatable)"`
	HeaderMatch   []string      `long:"header-match" unquote:"false" value-name:"'NAME: RE'" description:"a response header must match the regular expression (repeatable)"`
	Warning       *cli.Duration `short:"w" long:"warning" value-name:"DURATION" description:"WARNING when the response takes longer (seconds or a duration, redirects included)"`
	Critical      *cli.Duration `short:"c" long:"critical" value-name:"DURATION" description:"CRITICAL when the response takes longer"`

	MaxRedirects *int   `long:"max-redirects" value-name:"N" description:"redirects followed (default 10); more, or a loop, is CRITICAL; with --scenario, for every step that sets no max_redirects"`
	NoFollow     bool   `long:"no-follow" description:"judge the first response, even a redirect"`
	MaxBody      *int64 `long:"max-body" value-name:"BYTES" description:"how much of the body is read (default 1048576, at most 16 MiB); a longer body is cut, and an assertion not met in the part read fails; with --scenario, for every step that sets no max_body"`

	netflags.Insecure
	netflags.TLSClient
	CertWarning  *threshold.Expiry `long:"cert-warning" value-name:"DAYS" description:"WARNING when the endpoint's certificate has less validity left (days, 36h, 20%)"`
	CertCritical *threshold.Expiry `long:"cert-critical" value-name:"DAYS" description:"CRITICAL when the endpoint's certificate has less validity left"`

	ConnectTo []string `long:"connect-to" value-name:"HOST1:PORT1:HOST2:PORT2" description:"connect to HOST2:PORT2 for requests to HOST1:PORT1, Host header and TLS name unchanged; empty parts match any (repeatable)"`
	Resolve   []string `long:"resolve" value-name:"HOST:PORT:ADDR" description:"connect to ADDR for HOST:PORT, as curl's --resolve (repeatable)"`
	Proxy     string   `long:"proxy" value-name:"URL" description:"proxy for every request (default: HTTP_PROXY, HTTPS_PROXY and NO_PROXY)"`
	netflags.AddressFamily
	HTTP11   bool   `long:"http1.1" description:"speak HTTP/1.1 only"`
	HTTP2    bool   `long:"http2" description:"speak HTTP/2 only (h2 by ALPN over TLS, h2c over plain HTTP)"`
	SourceIP string `long:"source-ip" value-name:"ADDR" description:"local address to connect from"`

	Scenario string `long:"scenario" value-name:"FILE" description:"run the journey in this YAML file instead of one request"`

	// masker is secret.Process: every text the binary prints is masked
	// with it on the way out.
	masker    *secret.Masker
	client    httpprobe.Options
	request   httpprobe.Request
	expect    httpexpect.Expect
	certJudge bool
	journey   *scenario
}

// NewOptions gives the options of a run whose output is masked with
// secret.Process, as the runner's is.
func NewOptions() *Options { return &Options{masker: secret.Process()} }

// ParseArgs reads a check-http-e2e command line and checks it as the
// binary does before its first request (the files it names are read),
// and sends nothing. The error is the usage error the binary prints after
// "HTTP UNKNOWN: "; --help and --version give cli.ErrDone.
func ParseArgs(args []string) (*Options, error) {
	o := NewOptions()
	return o, cli.Prepare(context.Background(), Command, o, args, io.Discard)
}

// FlagHelp words the shared flags as check-http-e2e's --help always has.
func (o *Options) FlagHelp() map[string]string {
	return map[string]string{"cert-file": "client certificate (PEM) for mTLS"}
}

// Prepare checks the flags and reads the files they name, for the runner.
func (o *Options) Prepare(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: give the URL with -u", secret.RedactURL(args[0]))
	}
	if err := o.prepareClient(ctx); err != nil {
		return err
	}
	if o.Scenario != "" {
		if o.URL != "" {
			return fmt.Errorf("--scenario and -u conflict: a journey names its URLs in the file")
		}
		return o.prepareJourney(ctx)
	}
	if o.URL == "" {
		return fmt.Errorf("no target: give -u URL, or --scenario FILE for a journey")
	}
	if err := o.prepareRequest(ctx); err != nil {
		return err
	}
	return o.prepareExpect()
}

// prepareClient reads everything about how servers are reached.
func (o *Options) prepareClient(ctx context.Context) error {
	c := &o.client
	family, err := o.AddressFamily.Family()
	if err != nil {
		return err
	}
	c.Family = family
	switch {
	case o.HTTP11 && o.HTTP2:
		return fmt.Errorf("--http1.1 and --http2 conflict: give one, or neither to negotiate")
	case o.HTTP11:
		c.Protocol = httpprobe.HTTP1
	case o.HTTP2:
		c.Protocol = httpprobe.HTTP2
	}
	if o.SourceIP != "" {
		a, err := netip.ParseAddr(strings.Trim(o.SourceIP, "[]"))
		if err != nil {
			return fmt.Errorf("--source-ip %q is not an IP address", o.SourceIP)
		}
		if !c.Family.Allows(a) {
			return fmt.Errorf("--source-ip %s cannot reach %s addresses: drop -4/-6 or give an address of that family", a, c.Family)
		}
		if err := netdial.CheckLocal(a); err != nil {
			return fmt.Errorf("--source-ip %v: give an address of this host, or drop --source-ip", err)
		}
		c.SourceIP = a.Unmap()
	}
	for _, s := range o.ConnectTo {
		ct, err := parseConnectTo(s)
		if err != nil {
			return err
		}
		c.ConnectTo = append(c.ConnectTo, ct)
	}
	for _, s := range o.Resolve {
		ct, err := parseResolve(s)
		if err != nil {
			return err
		}
		c.ConnectTo = append(c.ConnectTo, ct)
	}
	if o.Proxy != "" {
		o.masker.AddURL(o.Proxy)
		p, err := url.Parse(o.Proxy)
		if err != nil || p.Host == "" || p.Scheme != "http" && p.Scheme != "https" && p.Scheme != "socks5" {
			return fmt.Errorf("--proxy %s is not a proxy URL: write http://HOST:PORT", secret.RedactURL(o.Proxy))
		}
		if err := netdial.CheckURLPort(p); err != nil {
			return fmt.Errorf("--proxy %s: %v", secret.RedactURL(o.Proxy), err)
		}
		if pass, ok := p.User.Password(); ok {
			o.masker.AddBasicAuth(p.User.Username(), pass)
		}
		c.Proxy = p
	}

	c.Insecure = o.Insecure.Insecure
	if c.Trust, c.ClientCert, err = tlsclient.Load(ctx, o.TLSClient, o.Insecure.Skip()); err != nil {
		return err
	}
	if o.CertWarning != nil && o.CertCritical != nil {
		if err := threshold.CheckOrder(*o.CertWarning, *o.CertCritical); err != nil {
			return fmt.Errorf("--cert-warning/--cert-critical: %v", err)
		}
	}
	o.certJudge = o.CertWarning != nil || o.CertCritical != nil
	return nil
}

// Run sends the request or takes the journey, for the runner: the one
// request of -u is a journey of one step.
func (o *Options) Run(ctx context.Context) *check.Report {
	s := o.journey
	if s == nil {
		s = o.oneStep()
	}
	return s.Run(ctx, o.client, runOptions{Masker: o.masker, Verbose: o.Verbose})
}
