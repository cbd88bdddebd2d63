package httpcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/scenariofile"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpreq"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// oneStep is the journey of -u: one step whose request the flags settled
// at Prepare, judged by the flags' assertions and certificate thresholds.
func (o *Options) oneStep() *scenario {
	st := &step{
		Step: scenariofile.Step{
			Method:  o.request.Method,
			Cert:    scenariofile.CertThresholds{Warning: o.CertWarning, Critical: o.CertCritical},
			CertOwn: o.certJudge,
		},
		Expect: o.expect,
		sent:   &o.request,
	}
	return &scenario{Steps: []*step{st}, one: true}
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
	if err := o.CheckRequest(); err != nil {
		return err
	}
	r.Method = strings.ToUpper(o.Method)
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	for _, h := range o.Header {
		name, value, _ := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		value, err := o.masker.Expand(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("-H %s: %v", name, err)
		}
		if err := httpreq.CheckHeaderValue(value); err != nil {
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
	if err := o.CheckBody(); err != nil {
		return err
	}
	switch {
	case o.Body != "":
		body, err := o.masker.Expand(o.Body)
		if err != nil {
			return fmt.Errorf("-d: %v", err)
		}
		r.Body = []byte(body)
	case o.BodyFile != "":
		end := inflight.Begin(ctx, "reading --body-file "+o.BodyFile, check.UNKNOWN)
		body, err := localfile.Read(o.BodyFile, maxBodyFile)
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
	r.Secrets = o.masker.AddURL
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
		if err := httpreq.CheckMaxBody(*o.MaxBody); err != nil {
			return fmt.Errorf("--max-body %v", err)
		}
		r.MaxBody = *o.MaxBody
	}
	r.MaxRedirects = httpprobe.DefaultMaxRedirects
	if o.MaxRedirects != nil {
		if err := httpreq.CheckMaxRedirects(*o.MaxRedirects); err != nil {
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
	if e.Status, e.Patterns, e.Inverted, err = o.Expected(); err != nil {
		return err
	}
	if err := o.CheckContains(); err != nil {
		return err
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
	e.TimeWarning, e.TimeCritical, err = o.Times()
	return err
}
