// Package options is check-http-e2e's command line: its flags, and the
// refusals that need no request, no file and no HTTP client (flags given
// together that cannot be, a scenario beside the flags of one request,
// thresholds in the wrong order, the status spec and regular expressions
// of the assertions). The httpcheck package builds the
// request, reads the files and runs the check; a caller that only
// validates command lines (the catalog) links this package alone.
package options

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/spec"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpreq"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netflags"
)

// Command names check-http-e2e to the runner: its usage line and the tag
// of its messages.
var Command = cli.Plugin{
	Name:  "check-http-e2e",
	Tag:   "HTTP",
	Usage: "[OPTIONS] -u URL | --scenario FILE",
}

// Flags are check-http-e2e's flags.
type Flags struct {
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
}

// FlagHelp words the shared flags as check-http-e2e's --help always has.
func (o *Flags) FlagHelp() map[string]string {
	return map[string]string{"cert-file": "client certificate (PEM) for mTLS"}
}

// CheckArgs refuses positional arguments: the URL is -u's.
func (o *Flags) CheckArgs(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: give the URL with -u", secret.RedactURL(args[0]))
	}
	return nil
}

// CheckProtocol refuses --http1.1 with --http2.
func (o *Flags) CheckProtocol() error {
	if o.HTTP11 && o.HTTP2 {
		return fmt.Errorf("--http1.1 and --http2 conflict: give one, or neither to negotiate")
	}
	return nil
}

// CheckCertThresholds refuses --cert-critical above --cert-warning.
func (o *Flags) CheckCertThresholds() error {
	if o.CertWarning != nil && o.CertCritical != nil {
		if err := threshold.CheckOrder(*o.CertWarning, *o.CertCritical); err != nil {
			return fmt.Errorf("--cert-warning/--cert-critical: %v", err)
		}
	}
	return nil
}

// CheckTarget asks for one target: -u or --scenario.
func (o *Flags) CheckTarget() error {
	switch {
	case o.Scenario != "" && o.URL != "":
		return fmt.Errorf("--scenario and -u conflict: a journey names its URLs in the file")
	case o.Scenario == "" && o.URL == "":
		return fmt.Errorf("no target: give -u URL, or --scenario FILE for a journey")
	}
	return nil
}

// oneRequestOnly are the flags that describe the one request of -u, each
// with what a scenario writes instead; the README's scenario reference
// lists the same. TestRequestOptionParity holds every flag to acting on a
// journey or being here.
var oneRequestOnly = []struct{ flag, instead string }{
	{"-m", "the method in each step: get: /path, post: /path, or method: with url:"},
	{"-H", "headers: {Name: value} at the top level or in a step"},
	{"-d", "body: in a step"},
	{"--body-file", `body: "${file:PATH}" in a step (a file of at most 64 KiB, sent trimmed of surrounding white space and masked as a secret)`},
	{"--content-type", "headers: {Content-Type: TYPE} in a step"},
	{"--user", "the user and password in base_url, https://USER:${env:PASSWORD}@host, for the steps that give a path; or headers: {Authorization: ...}"},
	{"-s", "status: under a step's expect:"},
	{"-p", "regex: under a step's expect:"},
	{"--invert-pattern", "not_regex: under a step's expect:"},
	{"--contains", "contains: under a step's expect:"},
	{"--jq", "jq: under a step's expect:"},
	{"--header-match", "header: {Name: RE} under a step's expect:"},
	{"-w", "max_time: under a step's expect:, with severity: warning on the step (every failure of that step is then WARNING)"},
	{"-c", "max_time: under a step's expect:"},
	{"--no-follow", "follow_redirects: false in a step"},
	{"--cert-warning", "cert_warning: at the top level (every step over TLS) or in a step"},
	{"--cert-critical", "cert_critical: at the top level (every step over TLS) or in a step"},
}

// flagField finds the field of the flag ("-m", "--body-file") in v, a
// go-flags struct, embedded structs included.
func flagField(v reflect.Value, flag string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if fv, ok := flagField(v.Field(i), flag); ok {
				return fv, true
			}
			continue
		}
		if short := f.Tag.Get("short"); short != "" && "-"+short == flag || "--"+f.Tag.Get("long") == flag {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// CheckScenarioFlags refuses, beside --scenario, the flags of one
// request, naming what the scenario writes instead.
func (o *Flags) CheckScenarioFlags() error {
	for _, f := range oneRequestOnly {
		if v, _ := flagField(reflect.ValueOf(o).Elem(), f.flag); !v.IsZero() {
			return fmt.Errorf("%s applies to one request (-u), not to --scenario: write %s", f.flag, f.instead)
		}
	}
	return nil
}

// CheckBody refuses -d with --body-file.
func (o *Flags) CheckBody() error {
	if o.Body != "" && o.BodyFile != "" {
		return fmt.Errorf("-d and --body-file conflict: give the body one way")
	}
	return nil
}

// CheckContains refuses an empty --contains, which every body meets.
func (o *Flags) CheckContains() error {
	for _, c := range o.Contains {
		if c == "" {
			return fmt.Errorf("--contains needs some text")
		}
	}
	return nil
}

// Expected reads -s, -p and --invert-pattern.
func (o *Flags) Expected() (status spec.Status, patterns, inverted []*regexp.Regexp, err error) {
	if status, err = spec.ParseStatus(o.Status); err != nil {
		return status, nil, nil, fmt.Errorf("-s: %v", err)
	}
	for _, p := range o.Pattern {
		re, err := spec.ParseRegexp(p)
		if err != nil {
			return status, nil, nil, fmt.Errorf("-p: %v", err)
		}
		patterns = append(patterns, re)
	}
	for _, p := range o.InvertPattern {
		re, err := spec.ParseRegexp(p)
		if err != nil {
			return status, nil, nil, fmt.Errorf("--invert-pattern: %v", err)
		}
		inverted = append(inverted, re)
	}
	return status, patterns, inverted, nil
}

// Times are -w and -c, checked: 0 when not given.
func (o *Flags) Times() (warning, critical time.Duration, err error) {
	if o.Warning != nil {
		warning = time.Duration(*o.Warning)
	}
	if o.Critical != nil {
		critical = time.Duration(*o.Critical)
	}
	if warning < 0 || critical < 0 {
		return 0, 0, fmt.Errorf("-w and -c take a positive duration")
	}
	if warning > 0 && critical > 0 && critical < warning {
		return 0, 0, fmt.Errorf("-c %s is less than -w %s: critical must be the longer time", critical, warning)
	}
	return warning, critical, nil
}

// Prepare checks a command line of check-http-e2e as far as it can
// without a request, a file or an HTTP client, in the order the binary
// checks it: every flag's syntax (by parsing), then the refusals above.
// The values only httpcheck parses (-u's URL, headers, the jq and header
// matches of the assertions, --connect-to, --proxy) and the
// files and addresses of the host (--ca-file, --body-file, --source-ip,
// the scenario) are the binary's to check.
func (o *Flags) Prepare(_ context.Context, args []string) error {
	if err := o.CheckArgs(args); err != nil {
		return err
	}
	if _, err := o.AddressFamily.Family(); err != nil {
		return err
	}
	for _, check := range []func() error{
		o.CheckProtocol,
		func() error { return o.TLSClient.Check(o.Insecure.Skip()) },
		o.CheckCertThresholds, o.CheckTarget,
	} {
		if err := check(); err != nil {
			return err
		}
	}
	if o.Scenario != "" {
		return o.CheckScenarioFlags()
	}
	if err := o.CheckRequest(); err != nil {
		return err
	}
	if err := o.CheckBody(); err != nil {
		return err
	}
	if _, _, _, err := o.Expected(); err != nil {
		return err
	}
	if err := o.CheckContains(); err != nil {
		return err
	}
	_, _, err := o.Times()
	return err
}

// CheckRequest refuses a method or a header name that net/http would not
// send, so that a typo is a usage error where it is written, not a
// CRITICAL that blames the connection.
func (o *Flags) CheckRequest() error {
	if o.Method != "" && !httpreq.ValidMethod(o.Method) {
		return fmt.Errorf("-m %q is not a method: write letters, as in GET or POST", o.Method)
	}
	for _, h := range o.Header {
		name, _, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return fmt.Errorf("-H: write 'Name: value' (the header given has no name before a colon)")
		}
		if !httpreq.ValidHeaderName(name) {
			return fmt.Errorf("-H %q is not a header name: letters, digits and - only, as in X-Request-Id", name)
		}
	}
	return nil
}

// ParseArgs checks a command line of check-http-e2e meant for another
// host, reading no file and sending nothing: the error is what the binary
// prints after "HTTP UNKNOWN: ", or cli.ErrDone for --help and --version.
func ParseArgs(args []string) (*Flags, error) {
	o := &Flags{}
	return o, cli.Prepare(context.Background(), Command, o, args, io.Discard)
}
