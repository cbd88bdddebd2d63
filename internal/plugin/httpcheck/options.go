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
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/options"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsclient"
)

// Command names check-http-e2e to the runner: its usage line and the tag
// of its messages.
var Command = options.Command

// maxBodyFile caps --body-file: a request body, not an upload.
const maxBodyFile = 16 << 20

// Options are check-http-e2e's flags (declared, with the refusals that
// need no request, in the options package); NewOptions gives them ready
// for the runner (cli.RunCheck), ParseArgs checks a command line without
// a probe.
type Options struct {
	options.Flags

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

// Prepare checks the flags and reads the files they name, for the runner.
func (o *Options) Prepare(ctx context.Context, args []string) error {
	if err := o.CheckArgs(args); err != nil {
		return err
	}
	if err := o.prepareClient(ctx); err != nil {
		return err
	}
	if err := o.CheckTarget(); err != nil {
		return err
	}
	if o.Scenario != "" {
		return o.prepareJourney(ctx)
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
	if err := o.CheckProtocol(); err != nil {
		return err
	}
	switch {
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
	if err := o.CheckCertThresholds(); err != nil {
		return err
	}
	o.certJudge = o.CertWarning != nil || o.CertCritical != nil
	return nil
}

// Run sends the request or takes the journey, for the runner: the one
// request of -u is a journey of one step.
func (o *Options) Run(ctx context.Context) *check.Report {
	// Before any client is built: net/http reads GODEBUG when a transport
	// is first used, and follows os.Setenv.
	httpprobe.KeepHTTP2()
	s := o.journey
	if s == nil {
		s = o.oneStep()
	}
	return s.Run(ctx, o.client, runOptions{Masker: o.masker, Verbose: o.Verbose})
}
