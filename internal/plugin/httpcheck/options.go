package httpcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// Command names check-http-e2e to the runner: its usage line and the tag
// of its messages.
var Command = cli.Plugin{
	Name:  "check-http-e2e",
	Tag:   "HTTP",
	Usage: "[OPTIONS] -u URL | --scenario FILE",
}

// MaxBodyFile caps --body-file: a request body, not an upload.
const MaxBodyFile = 16 << 20

// Options are check-http-e2e's flags; New gives them ready for the
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

	Insecure     bool              `long:"insecure" description:"skip certificate and host name verification"`
	CAFile       string            `long:"ca-file" value-name:"PATH" description:"extra trust anchors (PEM), for a private CA"`
	CertFile     string            `long:"cert-file" value-name:"PATH" description:"client certificate (PEM) for mTLS"`
	KeyFile      string            `long:"key-file" value-name:"PATH" description:"key of the client certificate (PEM)"`
	CertWarning  *threshold.Expiry `long:"cert-warning" value-name:"DAYS" description:"WARNING when the endpoint's certificate has less validity left (days, 36h, 20%)"`
	CertCritical *threshold.Expiry `long:"cert-critical" value-name:"DAYS" description:"CRITICAL when the endpoint's certificate has less validity left"`

	ConnectTo []string `long:"connect-to" value-name:"HOST1:PORT1:HOST2:PORT2" description:"connect to HOST2:PORT2 for requests to HOST1:PORT1, Host header and TLS name unchanged; empty parts match any (repeatable)"`
	Resolve   []string `long:"resolve" value-name:"HOST:PORT:ADDR" description:"connect to ADDR for HOST:PORT, as curl's --resolve (repeatable)"`
	Proxy     string   `long:"proxy" value-name:"URL" description:"proxy for every request (default: HTTP_PROXY, HTTPS_PROXY and NO_PROXY)"`
	IPv4      bool     `short:"4" description:"resolve and connect over IPv4 only"`
	IPv6      bool     `short:"6" description:"resolve and connect over IPv6 only"`
	HTTP11    bool     `long:"http1.1" description:"speak HTTP/1.1 only"`
	HTTP2     bool     `long:"http2" description:"speak HTTP/2 only (h2 by ALPN over TLS, h2c over plain HTTP)"`
	SourceIP  string   `long:"source-ip" value-name:"ADDR" description:"local address to connect from"`

	Scenario string `long:"scenario" value-name:"FILE" description:"run the journey in this YAML file instead of one request"`

	// masker is secret.Process: every text the binary prints is masked
	// with it on the way out.
	masker    *secret.Masker
	client    httpprobe.Options
	request   httpprobe.Request
	expect    httpexpect.Expect
	certJudge bool
	journey   *Scenario
}

// New gives the options of a run whose output is masked with
// secret.Process, as the runner's is.
func New() *Options { return &Options{masker: secret.Process()} }

// ParseArgs reads a check-http-e2e command line and checks it as the
// binary does before its first request (the files it names are read),
// and sends nothing. The error is the usage error the binary prints after
// "HTTP UNKNOWN: "; --help and --version give cli.ErrDone.
func ParseArgs(args []string) (*Options, error) {
	o := New()
	if err := cli.Validate(Command, o, args); err != nil {
		return nil, err
	}
	return o, nil
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
	if o.IPv4 && o.IPv6 {
		return fmt.Errorf("-4 and -6 conflict: give one, or neither for both families")
	}
	switch {
	case o.IPv4:
		c.Family = netdial.IPv4
	case o.IPv6:
		c.Family = netdial.IPv6
	}
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

	c.Insecure = o.Insecure
	if o.CAFile != "" {
		if o.Insecure {
			return fmt.Errorf("--ca-file and --insecure conflict: --ca-file adds trust anchors for verification")
		}
		trust, err := certchain.LoadTrust(ctx, o.CAFile)
		if err != nil {
			return err
		}
		c.Trust = trust
	}
	cert, err := certchain.LoadClientCert(ctx, o.CertFile, o.KeyFile)
	if err != nil {
		return err
	}
	c.ClientCert = cert
	if o.CertWarning != nil && o.CertCritical != nil {
		if err := threshold.CheckOrder(*o.CertWarning, *o.CertCritical); err != nil {
			return fmt.Errorf("--cert-warning/--cert-critical: %v", err)
		}
	}
	o.certJudge = o.CertWarning != nil || o.CertCritical != nil
	if deadline, ok := ctx.Deadline(); ok {
		c.Deadline = deadline
	}
	return nil
}

// prepareRequest builds the one request of the flags, expanding secrets
// and registering every credential with the masker.
func (o *Options) prepareRequest(ctx context.Context) error {
	r := &o.request
	raw, err := o.masker.Expand(o.URL)
	if err != nil {
		return fmt.Errorf("-u: %v", err)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("-u %s is not an http:// or https:// URL", secret.RedactURL(raw))
	}
	o.masker.AddURL(raw)
	if err := netdial.CheckURLPort(u); err != nil {
		return fmt.Errorf("-u %s: %v", secret.RedactURL(raw), err)
	}
	if err := o.reachable(u); err != nil {
		return err
	}
	r.Header = http.Header{}
	if err := o.oneAuthorization(u); err != nil {
		return err
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		o.masker.AddBasicAuth(u.User.Username(), pass)
		r.Header.Set("Authorization", basicAuth(u.User.Username(), pass))
		u.User = nil
	}
	r.URL = u.String()
	if o.certJudge && u.Scheme != "https" {
		return fmt.Errorf("--cert-warning and --cert-critical need an https:// URL")
	}
	r.Method = strings.ToUpper(o.Method)
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if strings.ContainsAny(r.Method, " \t\r\n:/") {
		return fmt.Errorf("-m %q is not a method", o.Method)
	}
	for _, h := range o.Header {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			return fmt.Errorf("-H: write 'Name: value' (the header given has no name before a colon)")
		}
		value, err := o.masker.Expand(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("-H %s: %v", name, err)
		}
		if err := httpprobe.CheckHeaderValue(value); err != nil {
			return fmt.Errorf("-H %s: %v", name, err)
		}
		o.masker.AddHeader(name, value)
		if strings.EqualFold(name, "Host") {
			r.Host = value
			continue
		}
		r.Header.Add(name, value)
	}
	if o.User != "" {
		user, pass, _ := strings.Cut(o.User, ":")
		if user, err = o.masker.Expand(user); err != nil {
			return fmt.Errorf("--user: %v", err)
		}
		if pass, err = o.masker.Expand(pass); err != nil {
			return fmt.Errorf("--user: %v", err)
		}
		o.masker.AddBasicAuth(user, pass)
		r.Header.Set("Authorization", basicAuth(user, pass))
	}
	switch {
	case o.Body != "" && o.BodyFile != "":
		return fmt.Errorf("-d and --body-file conflict: give the body one way")
	case o.Body != "":
		body, err := o.masker.Expand(o.Body)
		if err != nil {
			return fmt.Errorf("-d: %v", err)
		}
		r.Body = []byte(body)
	case o.BodyFile != "":
		end := inflight.Begin(ctx, "reading --body-file "+o.BodyFile, check.UNKNOWN)
		body, err := localfile.Read(o.BodyFile, MaxBodyFile)
		end()
		if err != nil {
			return fmt.Errorf("--body-file: %v", err)
		}
		r.Body = body
	}
	if o.ContentType != "" {
		r.Header.Set("Content-Type", o.ContentType)
	}
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", "check-http-e2e")
	}
	r.NoFollow = o.NoFollow
	if err := o.limits(r); err != nil {
		return err
	}
	r.Credentials = o.masker.AddBasicAuth
	return nil
}

// reachable refuses a --source-ip that cannot reach the address -u
// names, when the connection goes straight there: every run would fail
// in connect, a mistake in the command line reported as an outage.
func (o *Options) reachable(u *url.URL) error {
	src := o.client.SourceIP
	dst, err := netip.ParseAddr(u.Hostname())
	if !src.IsValid() || err != nil || len(o.client.ConnectTo) > 0 || o.client.Proxy != nil {
		return nil
	}
	if p, _ := http.ProxyFromEnvironment(&http.Request{URL: u}); p != nil {
		return nil
	}
	if dst.Unmap().Is4() != src.Is4() {
		return fmt.Errorf("--source-ip %s cannot reach %s, an address of the other family: give a --source-ip of its family, or drop it", src, dst)
	}
	return nil
}

// oneAuthorization refuses two sources of the Authorization header: URL
// user info, --user and -H Authorization would each send one, and a
// server takes either the first or the last.
func (o *Options) oneAuthorization(u *url.URL) error {
	var given []string
	if u.User != nil {
		given = append(given, "user info in -u")
	}
	if o.User != "" {
		given = append(given, "--user")
	}
	for _, h := range o.Header {
		if name, _, _ := strings.Cut(h, ":"); strings.EqualFold(strings.TrimSpace(name), "Authorization") {
			given = append(given, "-H Authorization")
			break
		}
	}
	if len(given) > 1 {
		return fmt.Errorf("%s conflict: each sends an Authorization header; give the credentials one way", strings.Join(given, " and "))
	}
	return nil
}

// limits reads --max-body and --max-redirects into r.
func (o *Options) limits(r *httpprobe.Request) error {
	r.MaxBody = httpprobe.DefaultMaxBody
	if o.MaxBody != nil {
		if err := httpprobe.CheckMaxBody(*o.MaxBody); err != nil {
			return fmt.Errorf("--max-body %v", err)
		}
		r.MaxBody = *o.MaxBody
	}
	r.MaxRedirects = httpprobe.DefaultMaxRedirects
	if o.MaxRedirects != nil {
		if err := httpprobe.CheckMaxRedirects(*o.MaxRedirects); err != nil {
			return fmt.Errorf("--max-redirects %v", err)
		}
		r.MaxRedirects = *o.MaxRedirects
		r.NoFollow = r.NoFollow || *o.MaxRedirects == 0
	}
	return nil
}

func basicAuth(user, pass string) string {
	req := http.Request{Header: http.Header{}}
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}

// prepareExpect compiles the assertions.
func (o *Options) prepareExpect() error {
	e := &o.expect
	e.Mask = o.masker.Mask
	var err error
	if e.Status, err = httpexpect.ParseStatus(o.Status); err != nil {
		return fmt.Errorf("-s: %v", err)
	}
	for _, p := range o.Pattern {
		re, err := httpexpect.ParseRegexp(p)
		if err != nil {
			return fmt.Errorf("-p: %v", err)
		}
		e.Patterns = append(e.Patterns, re)
	}
	for _, p := range o.InvertPattern {
		re, err := httpexpect.ParseRegexp(p)
		if err != nil {
			return fmt.Errorf("--invert-pattern: %v", err)
		}
		e.Inverted = append(e.Inverted, re)
	}
	for _, c := range o.Contains {
		if c == "" {
			return fmt.Errorf("--contains needs some text")
		}
	}
	e.Contains = o.Contains
	for _, q := range o.JQ {
		jq, err := httpexpect.ParseJQ(q)
		if err != nil {
			return fmt.Errorf("--jq: %v", err)
		}
		e.JQ = append(e.JQ, jq)
	}
	for _, h := range o.HeaderMatch {
		m, err := httpexpect.ParseHeaderMatch(h)
		if err != nil {
			return fmt.Errorf("--header-match: %v", err)
		}
		e.Headers = append(e.Headers, m)
	}
	if o.Warning != nil {
		e.TimeWarning = time.Duration(*o.Warning)
	}
	if o.Critical != nil {
		e.TimeCritical = time.Duration(*o.Critical)
	}
	if e.TimeWarning < 0 || e.TimeCritical < 0 {
		return fmt.Errorf("-w and -c take a positive duration")
	}
	if e.TimeWarning > 0 && e.TimeCritical > 0 && e.TimeCritical < e.TimeWarning {
		return fmt.Errorf("-c %s is less than -w %s: critical must be the longer time", e.TimeCritical, e.TimeWarning)
	}
	return nil
}

// Run sends the request or takes the journey, for the runner.
func (o *Options) Run(ctx context.Context) *check.Report {
	if o.journey != nil {
		return o.runJourney(ctx)
	}
	c, err := httpprobe.New(o.client)
	if err != nil {
		return &check.Report{Findings: []check.Finding{{Status: check.UNKNOWN, Text: err.Error()}}}
	}
	defer c.CloseIdleConnections()
	return o.runOne(ctx, c)
}
