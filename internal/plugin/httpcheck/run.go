package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/phrase"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/scenariofile"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpreq"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// client sends one request; *httpprobe.Client is one.
type client interface {
	Do(ctx context.Context, r *httpprobe.Request) (*httpprobe.Response, error)
}

// newClient makes the client a run sends with: jar keeps its cookies (nil
// keeps none), and no dial outlasts ctx's deadline.
type newClient func(ctx context.Context, jar http.CookieJar) (client, error)

// probeClient makes clients of the probe options.
func probeClient(probe httpprobe.Options) newClient {
	return func(ctx context.Context, jar http.CookieJar) (client, error) {
		probe.Jar = jar
		// net/http detaches dials from the request's context.
		probe.Deadline, _ = ctx.Deadline()
		return httpprobe.New(probe)
	}
}

// runOptions say how a run reports.
type runOptions struct {
	// Masker masks secrets in everything reported; the one loadScenario used.
	Masker *secret.Masker
	// Verbose lists each step with its timings; the OK verdict stays
	// the same.
	Verbose bool
}

// Run takes the steps in order with one cookie jar, sending with a client
// of the probe options, within ctx's deadline and the scenario's timeout,
// until the first step that fails (a step with severity: warning fails as
// WARNING and the journey goes on: an optional step that degrades must
// not hide whether the steps after it still work). The report's tag is
// HTTP; every text in it has its secrets masked.
func (s *scenario) Run(ctx context.Context, probe httpprobe.Options, o runOptions) *check.Report {
	return s.runWith(ctx, probeClient(probe), o)
}

func (s *scenario) runWith(ctx context.Context, newClient newClient, o runOptions) *check.Report {
	masker := o.Masker
	if masker == nil {
		masker = new(secret.Masker)
	}
	r := &check.Report{Tag: "HTTP", Verbose: o.Verbose}
	if !s.one {
		n := len(s.Steps)
		r.OKVerdict = fmt.Sprintf("%s, %d %s passed", s.Name, n, textfmt.Plural(n, "step"))
		r.Noun = "step"
	}
	add := func(status check.Status, text string) {
		r.Findings = append(r.Findings, check.Finding{Status: status, Text: masker.Mask(text)})
	}
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	var cookies, jar http.CookieJar
	var err error
	// The one request of -u keeps no cookies: a redirect gets none that
	// an earlier response set, as curl does without a jar.
	if !s.one {
		if cookies, err = cookiejar.New(nil); err == nil {
			jar = maskingJar{cookies, masker}
		}
	}
	if err == nil {
		var c client
		if c, err = newClient(ctx, jar); err == nil {
			if idle, ok := c.(interface{ CloseIdleConnections() }); ok {
				defer idle.CloseIdleConnections()
			}
			s.run(ctx, c, cookies, masker, r, add)
			return r
		}
	}
	if s.one {
		add(check.UNKNOWN, err.Error())
	} else {
		add(check.UNKNOWN, fmt.Sprintf("%s: %v", s.Name, err))
	}
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

func (s *scenario) run(ctx context.Context, c client, jar http.CookieJar, masker *secret.Masker, report *check.Report, add func(check.Status, string)) {
	vars := secret.Map{}
	judged := map[string]bool{}
	overTLS := false
	for i, st := range s.Steps {
		prefix := phrase.Step(s.Name, i+1, len(s.Steps), st.Name)
		r := &stepRun{ctx: ctx, c: c, jar: jar, s: s, vars: vars, masker: masker, report: report, prefix: prefix, add: add, judged: judged}
		// The steps after one that stops the journey are named on its
		// first line.
		r.notRun = phrase.NotRun(i+1, len(s.Steps))
		goOn := st.do(r)
		overTLS = overTLS || r.overTLS
		if !goOn {
			return
		}
	}
	if s.Cert.Set() && !overTLS {
		add(check.UNKNOWN, fmt.Sprintf("%s: cert_warning/cert_critical: no step came over TLS, no certificate was judged", s.Name))
	}
}

// stepRun is what a step runs with.
type stepRun struct {
	ctx    context.Context
	c      client
	jar    http.CookieJar
	s      *scenario
	vars   secret.Map
	masker *secret.Masker
	report *check.Report
	prefix string
	add    func(check.Status, string)
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
func (st *step) do(r *stepRun) bool {
	ctx, c, s, vars, masker, prefix := r.ctx, r.c, r.s, r.vars, r.masker, r.prefix
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
		// loadScenario checked every reference; what is left is a value a
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
	end := func() {}
	if !s.one {
		// The one request has nothing to say beyond the phase the
		// probe names.
		end = inflight.Begin(ctx, masker.Mask(prefix+" "+shown), severity(check.CRITICAL))
	}
	resp, err := st.send(ctx, c, req)
	end()
	if err != nil {
		text := st.sendError(err, req, shownURL, masker, s.one)
		var ce *httpprobe.CertError
		if st.Cert.Set() && errors.As(err, &ce) {
			text += certJudge(st.Cert).Unverified(ce.Presented)
		}
		if s.one {
			add(check.CRITICAL, shown+": "+text)
		} else {
			add(severity(check.CRITICAL), fmt.Sprintf("%s: %s (%s)", prefix, text, shown))
		}
		return st.Warning
	}
	r.overTLS = len(resp.Chain) > 0 || len(resp.RedirectChains) > 0
	target, context := describe(st.Method, shownURL, resp, masker, r.report.Verbose, s.one)
	// Extract even when an expectation failed: a secret the response
	// carries is then registered before a failure quotes the body.
	extracted := st.extract(ctx, resp, r.jar, vars, masker)
	expect := st.Expect
	expect.Mask = masker.Mask
	failures := append(expect.CheckContext(ctx, resp), st.judgeCert(resp, r.judged)...)
	if worstOf(failures) != check.CRITICAL {
		// The page is the one expected: what could not be taken from
		// it is a cause of its own.
		failures = append(failures, extracted...)
	}
	if len(failures) == 0 {
		if s.one {
			r.report.OKVerdict = fmt.Sprintf("%s %d", target, resp.StatusCode)
			add(check.OK, context)
		} else {
			add(check.OK, fmt.Sprintf("%s: %s", strings.TrimPrefix(prefix, s.Name+" "), context))
		}
		return true
	}
	worstFirst(failures)
	for i, f := range failures {
		switch {
		case !s.one:
			f.Text = phrase.StepFailure(prefix, f.Text, context)
		case i == 0:
			// The worst leads the message and carries the request,
			// its status and timings; the others follow, one line
			// each.
			f.Text = phrase.Failure(f.Text, context)
		}
		add(severity(f.Status), f.Text)
	}
	return st.Warning || !check.Worse(failures[0].Status, check.WARNING)
}

// sendError says why a request got no response.
func (st *step) sendError(err error, req *httpprobe.Request, shownURL string, masker *secret.Masker, one bool) string {
	if one {
		var re *httpprobe.RedirectError
		var pe *inflight.Error
		if !errors.As(err, &re) && !errors.As(err, &pe) {
			return inflight.Cause(err)
		}
		return err.Error()
	}
	// The error may quote the URL as sent, user info and all.
	// net/http's own redaction keeps the user name.
	text := masker.Mask(err.Error())
	if u, perr := url.Parse(req.URL); perr == nil && u.User != nil {
		stripped := strings.Replace(u.String(), u.User.String()+"@", u.User.Username()+":***@", 1)
		text = strings.ReplaceAll(text, masker.Mask(stripped), shownURL)
	}
	return strings.ReplaceAll(text, masker.Mask(req.URL), shownURL)
}

// worstFirst orders findings worst first; ties keep the order of the
// expectations.
func worstFirst(findings []check.Finding) {
	sort.SliceStable(findings, func(i, j int) bool { return check.Worse(findings[i].Status, findings[j].Status) })
}

func worstOf(findings []check.Finding) check.Status {
	w := check.OK
	for _, f := range findings {
		w = check.Worst(w, f.Status)
	}
	return w
}

// describe says what came back: the request and where it ended up (target), and
// the whole of it with the status and the timings (result). The one
// request of -u names the URL asked and the final one, and every phase:
// "GET https://h/ -> https://h/home 200 OK; dns 0.00s, ..., total 0.41s",
// with -v the protocol too. A journey's step names each URL on the way
// and the total, "GET https://h/api/me 200, total 0.41s", with -v the
// protocol and every phase.
func describe(method, sent string, resp *httpprobe.Response, masker *secret.Masker, verbose, one bool) (target, result string) {
	show := func(u *url.URL) string { return secret.RedactURL(masker.Mask(u.String())) }
	var b strings.Builder
	b.WriteString(method)
	if one {
		b.WriteString(" " + sent)
		if len(resp.Redirects) > 0 && resp.URL != nil {
			final := *resp.URL
			final.User = nil
			b.WriteString(" -> " + show(&final))
		}
	} else {
		urls := append(append([]*url.URL(nil), resp.Redirects...), resp.URL)
		for i, u := range urls {
			if u == nil {
				continue
			}
			if i > 0 && b.Len() > len(method) {
				b.WriteString(" ->")
			}
			b.WriteString(" " + show(u))
		}
	}
	target = b.String()
	times := timings(resp.Timings)
	if verbose {
		times = resp.Proto + ", " + times
	}
	switch {
	case one:
		return target, phrase.One(target, resp.Status, times)
	case verbose:
		return target, fmt.Sprintf("%s %d, %s", target, resp.StatusCode, times)
	}
	return target, phrase.StepResult(target, resp.StatusCode, resp.Timings.Total)
}

// timings is the time of a response, phase by phase.
func timings(t httpprobe.Timings) string {
	return phrase.Timings(t.DNS, t.Connect, t.TLS, t.TTFB, t.Body, t.Total)
}

// responseError is a request a step cannot send because of a value an
// earlier response gave.
type responseError struct{ error }

func (e *responseError) Unwrap() error { return e.error }

// request expands the step's templates with the variables so far.
func (st *step) request(s *scenario, vars secret.Map, masker *secret.Masker) (_ *httpprobe.Request, err error) {
	if st.sent != nil {
		req := *st.sent
		req.Header = req.Header.Clone()
		return &req, nil
	}
	expand := func(t string) (string, error) { return masker.ExpandVars(t, vars.Lookup) }
	raw, err := expand(st.URL)
	if err != nil {
		return nil, err
	}
	// A URL that a value a response gave makes unusable is a finding
	// about that response.
	resolving := true
	defer func() {
		if err != nil && resolving && extracted(st.URL) {
			err = &responseError{err}
		}
	}()
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("URL %q: %s", secret.RedactURL(masker.Mask(raw)), secret.ParseError(raw, errors.Unwrap(err)))
	}
	if !u.IsAbs() {
		if s.BaseURL == "" {
			return nil, fmt.Errorf("URL %q is relative and the scenario has no base_url", secret.RedactURL(masker.Mask(raw)))
		}
		b, err := masker.Expand(s.BaseURL)
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
	req := &httpprobe.Request{Method: st.Method, URL: u.String(), Header: http.Header{}, NoFollow: st.NoFollow, Secrets: masker.AddURL}
	st.apply(s, req)
	for _, h := range append(append([]scenariofile.Field(nil), s.Headers...), st.Headers...) {
		v, err := expand(h.Value)
		if err != nil {
			return nil, fmt.Errorf("header %s: %v", h.Name, err)
		}
		if err := httpreq.CheckHeaderValue(v); err != nil {
			// loadScenario checked what the file gives: this came from a
			// response, and is a finding about it.
			return nil, &responseError{fmt.Errorf("header %s: %v, from what an earlier step extracted", h.Name, err)}
		}
		masker.AddHeader(h.Name, v)
		if strings.EqualFold(h.Name, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(h.Name, v)
	}
	contentType := ""
	switch st.BodyKind {
	case scenariofile.RawBody:
		body, err := expand(st.Body)
		if err != nil {
			return nil, fmt.Errorf("body: %v", err)
		}
		req.Body = []byte(body)
	case scenariofile.FormBody:
		var b strings.Builder
		for i, f := range st.Form {
			v, err := expand(f.Value)
			if err != nil {
				return nil, fmt.Errorf("form %s: %v", f.Name, err)
			}
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(f.Name) + "=" + url.QueryEscape(v))
		}
		req.Body, contentType = []byte(b.String()), "application/x-www-form-urlencoded"
	case scenariofile.JSONBody:
		var b strings.Builder
		if err := st.WriteJSON(&b, expand); err != nil {
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
func (st *step) extract(ctx context.Context, resp *httpprobe.Response, jar http.CookieJar, vars secret.Map, masker *secret.Masker) []check.Finding {
	var out []check.Finding
	fail := func(x scenariofile.Extraction, format string, args ...any) {
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
			v, err := httpexpect.FirstOver(ctx, *x.JQ, resp, doc)
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
				value = scenariofile.JSONText(v)
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
						shown := value
						if x.Header != "" {
							shown = secret.RedactHeader(x.Header, value)
						}
						what += fmt.Sprintf(" %q", textfmt.Shorten(masker.Mask(shown), 60))
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
