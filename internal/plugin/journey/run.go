package journey

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// Client sends one request; *httpprobe.Client is one.
type Client interface {
	Do(ctx context.Context, r *httpprobe.Request) (*httpprobe.Response, error)
}

// NewClient makes the client a journey runs with: jar keeps its cookies,
// and no dial may outlast deadline (zero: none beyond the context's).
type NewClient func(jar http.CookieJar, deadline time.Time) (Client, error)

// RunOptions say how a journey reports.
type RunOptions struct {
	// Masker masks secrets in everything reported; the one Load used.
	Masker *secret.Masker
	// Verbose lists each step with its timings; the OK verdict stays
	// the same.
	Verbose bool
}

// Run takes the steps in order with one cookie jar, until the first step
// that fails (a step with severity: warning fails as WARNING and the
// journey goes on: an optional step that degrades must not hide whether
// the steps after it still work). The report's tag is HTTP; every text in
// it has its secrets masked.
func (s *Scenario) Run(ctx context.Context, newClient NewClient, o RunOptions) *check.Report {
	masker := o.Masker
	if masker == nil {
		masker = new(secret.Masker)
	}
	n := len(s.Steps)
	r := &check.Report{
		Tag:       "HTTP",
		OKVerdict: fmt.Sprintf("%s, %d %s passed", s.Name, n, textfmt.Plural(n, "step")),
		Noun:      "step",
		Verbose:   o.Verbose,
	}
	add := func(status check.Status, text string) {
		r.Findings = append(r.Findings, check.Finding{Status: status, Text: masker.Mask(text)})
	}
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	deadline, _ := ctx.Deadline()
	cookies, err := cookiejar.New(nil)
	if err == nil {
		var c Client
		if c, err = newClient(maskingJar{cookies, masker}, deadline); err == nil {
			s.run(ctx, c, cookies, masker, o.Verbose, add)
			return r
		}
	}
	add(check.UNKNOWN, fmt.Sprintf("%s: %v", s.Name, err))
	return r
}

// maskingJar registers the cookies a server sets as secrets before the
// jar sends them back: a session cookie is a credential, and a server that
// echoes the request must not get it printed. Values under
// secret.MinCookieSecret bytes are not credentials.
type maskingJar struct {
	http.CookieJar
	masker *secret.Masker
}

func (j maskingJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	for _, c := range cookies {
		if len(c.Value) >= secret.MinCookieSecret {
			j.masker.Add(c.Value)
		}
	}
	j.CookieJar.SetCookies(u, cookies)
}

func (s *Scenario) run(ctx context.Context, c Client, jar http.CookieJar, masker *secret.Masker, verbose bool, add func(check.Status, string)) {
	vars := secret.Map{}
	judged := map[string]bool{}
	overTLS := false
	for i, st := range s.Steps {
		prefix := fmt.Sprintf("%s step %d/%d %q", s.Name, i+1, len(s.Steps), st.Name)
		r := &stepRun{ctx: ctx, c: c, jar: jar, s: s, vars: vars, masker: masker, verbose: verbose, prefix: prefix, add: add, judged: judged}
		// The steps after one that stops the journey are named on its
		// first line: a responder must not read them as passed.
		if i+2 == len(s.Steps) {
			r.notRun = fmt.Sprintf("; step %d not run", i+2)
		} else if i+2 < len(s.Steps) {
			r.notRun = fmt.Sprintf("; steps %d-%d not run", i+2, len(s.Steps))
		}
		goOn := st.do(r)
		overTLS = overTLS || r.overTLS
		if !goOn {
			return
		}
	}
	if s.cert.set() && !overTLS {
		add(check.UNKNOWN, fmt.Sprintf("%s: cert_warning/cert_critical: no step came over TLS, no certificate was judged", s.Name))
	}
}

// stepRun is what a step runs with.
type stepRun struct {
	ctx     context.Context
	c       Client
	jar     http.CookieJar
	s       *Scenario
	vars    secret.Map
	masker  *secret.Masker
	verbose bool
	prefix  string
	add     func(check.Status, string)
	// notRun ends the first line of a failure that stops the journey:
	// "; steps 3-5 not run".
	notRun string
	// overTLS says the response came over TLS.
	overTLS bool
	// judged holds the leaf certificates judged so far, with the
	// thresholds they were judged by: a journey's steps mostly come over
	// one, and its expiry is one cause.
	judged map[string]bool
}

// do runs the step and reports it. It returns whether the journey goes
// on: after a step that passed, one with severity: warning, or one that
// found nothing worse than WARNING (a status mapped to warning, a slow
// answer, a certificate due soon), so that what degrades does not hide
// whether the steps after it still work.
func (st *Step) do(r *stepRun) bool {
	ctx, c, s, vars, masker, verbose, prefix := r.ctx, r.c, r.s, r.vars, r.masker, r.verbose, r.prefix
	add := func(status check.Status, text string) {
		if status != check.OK && status != check.WARNING {
			text += r.notRun
			r.notRun = ""
		}
		r.add(status, text)
	}
	severity := func(status check.Status) check.Status {
		if st.Warning && status != check.OK {
			return check.WARNING
		}
		return status
	}
	req, err := st.request(s, vars, masker)
	if err != nil {
		// Load checked every reference; what is left is a value a
		// response gave, or the environment or a file changing under
		// the run.
		status := check.UNKNOWN
		var re *responseError
		if errors.As(err, &re) {
			status = severity(check.CRITICAL)
		}
		add(status, prefix+": "+err.Error())
		return st.Warning
	}
	shownURL := secret.RedactURL(masker.Mask(req.URL))
	shown := st.Method + " " + shownURL
	end := inflight.Begin(ctx, masker.Mask(prefix+" "+shown), severity(check.CRITICAL))
	resp, err := st.send(ctx, c, req)
	end()
	if err != nil {
		// The error may quote the URL as sent, user info and all.
		// net/http's own redaction keeps the user name.
		text := masker.Mask(err.Error())
		if u, perr := url.Parse(req.URL); perr == nil && u.User != nil {
			stripped := strings.Replace(u.String(), u.User.String()+"@", u.User.Username()+":***@", 1)
			text = strings.ReplaceAll(text, masker.Mask(stripped), shownURL)
		}
		text = strings.ReplaceAll(text, masker.Mask(req.URL), shownURL)
		var ce *httpprobe.CertError
		if st.cert.set() && errors.As(err, &ce) {
			text += st.cert.judge().Unverified(ce.Presented)
		}
		add(severity(check.CRITICAL), fmt.Sprintf("%s: %s (%s)", prefix, text, shown))
		return st.Warning
	}
	r.overTLS = len(resp.Chain) > 0
	context := describe(st.Method, resp, masker, verbose)
	// Extract even when an expectation failed: a secret the response
	// carries is then registered before a failure quotes the body.
	extracted := st.extract(ctx, resp, r.jar, vars, masker)
	expect := st.Expect
	expect.Mask = masker.Mask
	failures := append(expect.CheckContext(ctx, resp), st.judgeCert(resp.Chain, r.judged)...)
	if worstOf(failures) != check.CRITICAL {
		// The page is the one expected: what could not be taken from
		// it is a cause of its own.
		failures = append(failures, extracted...)
	}
	if len(failures) == 0 {
		add(check.OK, fmt.Sprintf("%s: %s", strings.TrimPrefix(prefix, s.Name+" "), context))
		return true
	}
	// The worst failure leads; ties keep the order of the expectations.
	worst := 0
	for i, f := range failures {
		if check.Worse(f.Status, failures[worst].Status) {
			worst = i
		}
	}
	failures[0], failures[worst] = failures[worst], failures[0]
	for _, f := range failures {
		add(severity(f.Status), fmt.Sprintf("%s: %s (%s)", prefix, f.Text, context))
	}
	return st.Warning || !check.Worse(failures[0].Status, check.WARNING)
}

func worstOf(findings []check.Finding) check.Status {
	w := check.OK
	for _, f := range findings {
		w = check.Worst(w, f.Status)
	}
	return w
}

// describe says what came back: "GET https://h/api/me 200, total 0.41s",
// with the final URL after redirects and, verbose, every phase.
func describe(method string, resp *httpprobe.Response, masker *secret.Masker, verbose bool) string {
	var b strings.Builder
	b.WriteString(method)
	urls := append(append([]*url.URL(nil), resp.Redirects...), resp.URL)
	for i, u := range urls {
		if u == nil {
			continue
		}
		if i > 0 && len(b.String()) > len(method) {
			b.WriteString(" ->")
		}
		b.WriteString(" " + secret.RedactURL(masker.Mask(u.String())))
	}
	b.WriteString(" " + strconv.Itoa(resp.StatusCode))
	t := resp.Timings
	if verbose {
		fmt.Fprintf(&b, ", %s, dns %s, connect %s, tls %s, ttfb %s, body %s, total %s", resp.Proto,
			textfmt.Seconds(t.DNS), textfmt.Seconds(t.Connect), textfmt.Seconds(t.TLS),
			textfmt.Seconds(t.TTFB), textfmt.Seconds(t.Body), textfmt.Seconds(t.Total))
		return b.String()
	}
	b.WriteString(", total " + textfmt.Seconds(t.Total))
	return b.String()
}

// responseError is a request a step cannot send because of a value an
// earlier response gave.
type responseError struct{ error }

func (e *responseError) Unwrap() error { return e.error }

// request expands the step's templates with the variables so far.
func (st *Step) request(s *Scenario, vars secret.Map, masker *secret.Masker) (_ *httpprobe.Request, err error) {
	expand := func(t string) (string, error) { return masker.ExpandVars(t, vars.Lookup) }
	raw, err := expand(st.url)
	if err != nil {
		return nil, err
	}
	// A URL that a value a response gave makes unusable is a finding
	// about that response.
	resolving := true
	defer func() {
		if err != nil && resolving && extracted(st.url) {
			err = &responseError{err}
		}
	}()
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("URL %q: %s", secret.RedactURL(masker.Mask(raw)), secret.ParseError(raw, errors.Unwrap(err)))
	}
	if !u.IsAbs() {
		if s.baseURL == "" {
			return nil, fmt.Errorf("URL %q is relative and the scenario has no base_url", secret.RedactURL(masker.Mask(raw)))
		}
		b, err := masker.Expand(s.baseURL)
		if err != nil {
			return nil, fmt.Errorf("base_url: %v", err)
		}
		base, err := url.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("base_url %q: %s", secret.RedactURL(masker.Mask(b)), secret.ParseError(b, errors.Unwrap(err)))
		}
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("URL %q: only http:// and https:// URLs with a host", secret.RedactURL(masker.Mask(u.String())))
	}
	if err := netdial.CheckURLPort(u); err != nil {
		return nil, fmt.Errorf("URL %q: %v", secret.RedactURL(masker.Mask(u.String())), err)
	}
	if u.User != nil {
		// net/http sends them as basic auth.
		pass, _ := u.User.Password()
		masker.AddBasicAuth(u.User.Username(), pass)
	}
	// A secret-looking query value is hidden in the URL shown; a server
	// may echo it in the body.
	masker.AddURL(u.String())
	resolving = false
	req := &httpprobe.Request{Method: st.Method, URL: u.String(), Header: http.Header{}, NoFollow: st.NoFollow, Credentials: masker.AddBasicAuth}
	st.apply(s, req)
	for _, h := range append(append([]field(nil), s.headers...), st.headers...) {
		v, err := expand(h.value)
		if err != nil {
			return nil, fmt.Errorf("header %s: %v", h.name, err)
		}
		if err := httpprobe.CheckHeaderValue(v); err != nil {
			// Load checked what the file gives: this came from a
			// response, and is a finding about it.
			return nil, &responseError{fmt.Errorf("header %s: %v, from what an earlier step extracted", h.name, err)}
		}
		masker.AddHeader(h.name, v)
		if strings.EqualFold(h.name, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(h.name, v)
	}
	contentType := ""
	switch st.bodyKind {
	case rawBody:
		body, err := expand(st.body)
		if err != nil {
			return nil, fmt.Errorf("body: %v", err)
		}
		req.Body = []byte(body)
	case formBody:
		var b strings.Builder
		for i, f := range st.form {
			v, err := expand(f.value)
			if err != nil {
				return nil, fmt.Errorf("form %s: %v", f.name, err)
			}
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(f.name) + "=" + url.QueryEscape(v))
		}
		req.Body, contentType = []byte(b.String()), "application/x-www-form-urlencoded"
	case jsonBody:
		var b strings.Builder
		if err := writeJSON(&b, st.json, expand); err != nil {
			return nil, fmt.Errorf("json: %v", err)
		}
		req.Body, contentType = []byte(b.String()), "application/json"
	}
	if contentType != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// extracted reports whether a template uses a variable a step extracts,
// rather than only ${env:} and ${file:}.
func extracted(t string) bool {
	for {
		i := strings.Index(t, "${")
		if i < 0 {
			return false
		}
		ref := t[i+2:]
		if (i == 0 || t[i-1] != '$') && !strings.HasPrefix(ref, "env:") && !strings.HasPrefix(ref, "file:") {
			return true
		}
		t = ref
	}
}

// extract sets the step's variables from resp and the jar; what it could
// not extract is a failure of the step.
func (st *Step) extract(ctx context.Context, resp *httpprobe.Response, jar http.CookieJar, vars secret.Map, masker *secret.Masker) []check.Finding {
	var out []check.Finding
	fail := func(x Extraction, format string, args ...any) {
		text := fmt.Sprintf("extract %s: ", x.Var) + fmt.Sprintf(format, args...)
		out = append(out, check.Finding{Status: check.CRITICAL, Text: text})
	}
	var doc any
	var docErr error
	decoded := false
	for _, x := range st.Extract {
		var value, from string // from names the source for a regex that does not match it
		isSecret := x.Secret
		switch {
		case x.JQ != nil:
			if !decoded {
				doc, docErr = httpexpect.DecodeJSONContext(ctx, resp)
				decoded = true
			}
			if docErr != nil {
				fail(x, "jq '%s': %v (%s)", x.JQ.String(), docErr, httpexpect.DescribeBody(resp, masker.Mask))
				continue
			}
			v, err := x.JQ.FirstOver(ctx, resp, doc)
			if err != nil {
				fail(x, "jq '%s': %v", x.JQ.String(), err)
				continue
			}
			if v == nil {
				fail(x, "jq '%s' got null", x.JQ.String())
				continue
			}
			if s, ok := v.(string); ok {
				value = s
			} else {
				value = jsonText(v)
			}
			from = fmt.Sprintf("jq '%s'", x.JQ.String())
		case x.Header != "":
			values := resp.Header.Values(x.Header)
			if len(values) == 0 {
				fail(x, "header %s missing", x.Header)
				continue
			}
			value = values[0]
			isSecret = isSecret || secret.SecretHeader(x.Header)
			from = "header " + x.Header
		case x.Cookie != "":
			c, names := cookie(jar, resp.URL, x.Cookie)
			if c == nil {
				fail(x, "no cookie %s in the jar for %s (it has: %s)", x.Cookie, secret.RedactURL(masker.Mask(resp.URL.String())), names)
				continue
			}
			// A cookie is a credential as the Cookie header is.
			value, isSecret, from = c.Value, true, "cookie "+x.Cookie
		default:
			value, from = string(resp.Body), ""
		}
		if x.Regex != nil {
			m := x.Regex.FindStringSubmatch(value)
			if m == nil {
				what := httpexpect.DescribeBody(resp, masker.Mask)
				if from != "" {
					what = from
					if !isSecret {
						what += fmt.Sprintf(" %q", textfmt.Shorten(masker.Mask(value), 60))
					}
				}
				fail(x, "regex %q did not match (%s)", x.Regex.String(), what)
				continue
			}
			value = m[len(m)-1]
			if len(m) > 1 {
				value = m[1]
			}
		}
		if isSecret {
			masker.Add(value)
		}
		vars[x.Var] = secret.Var{Value: value, Secret: isSecret}
	}
	return out
}

// cookie finds the cookie the jar would send to u by that name, or the
// names it has for u.
func cookie(jar http.CookieJar, u *url.URL, name string) (*http.Cookie, string) {
	if jar == nil || u == nil {
		return nil, "no cookies"
	}
	var names []string
	for _, c := range jar.Cookies(u) {
		if c.Name == name {
			return c, ""
		}
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		return nil, "no cookies"
	}
	return nil, strings.Join(names, ", ")
}
