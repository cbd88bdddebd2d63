// Package httpcheck is check-http-e2e: one request with real assertions,
// or a scenario file: the steps a user takes through a web application
// (open the login form, sign in, call the API, sign out), one cookie jar
// across them, values carried from one response into the next request.
//
// Everything that can be wrong with the file (unknown keys, wrong types,
// bad expressions, variables used before a step extracts them) is found
// when it is loaded, before any request is sent, and named with its line.
//
// It links the YAML parser and, through httpexpect, gojq: only
// check-http-e2e (and what validates its command lines) may import it.
package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect"
	expectspec "github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/spec"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// scenarioFileLimit caps a scenario file. A journey of a few dozen steps is a
// few KiB; the YAML parser takes some hundred times a file's size in
// memory, and a check has a memory cap.
const scenarioFileLimit = 256 << 10

// scenario is a loaded, validated scenario file.
type scenario struct {
	Name string
	// Timeout bounds the whole run; zero leaves it to the caller's
	// deadline.
	Timeout time.Duration
	Steps   []*step

	path    string
	baseURL string // template: ${env:} and ${file:} only
	headers []field
	cert    certThresholds // for every step (cert.go)
	limits  stepLimits
	// one is the scenario of -u: one step, no cookie jar, reported in the
	// words of one request.
	one bool
}

// step is one request and what its response must be.
type step struct {
	Name   string
	Method string
	// Line is where the step starts in the file.
	Line int

	url      string // template
	headers  []field
	body     string // template
	form     []field
	json     *node // body as JSON, strings templates
	bodyKind bodyKind

	NoFollow bool
	Expect   httpexpect.Expect
	Extract  []extraction
	// Warning makes a failure of this step WARNING instead of CRITICAL,
	// and the journey goes on after it.
	Warning bool

	cert    certThresholds // the step's own, then the scenario's (cert.go)
	certOwn bool
	limits  stepLimits
	// sent is the request of -u, which the flags settle before the run.
	sent *httpprobe.Request
}

type bodyKind int

const (
	noBody bodyKind = iota
	rawBody
	formBody
	jsonBody
)

// field is a name and a template value, in the order written.
type field struct {
	name, value string
	line        int
}

// extraction takes a value from a response for later steps: the first
// value of a jq expression, a header, or a cookie of the jar, by name; or
// the body. Regex, when set, then takes its first group (the whole match
// when it has no group) from that value: alone, it reads the body.
type extraction struct {
	Var    string
	Regex  *regexp.Regexp
	JQ     *httpexpect.JQ
	Header string
	Cookie string
	// Secret values are masked in every output once extracted. A value
	// from a cookie, or a header that carries credentials (Set-Cookie),
	// always is.
	Secret bool
	Line   int
}

var (
	scenarioKeys = append([]string{"name", "base_url", "timeout", "headers", "steps", "cert_warning", "cert_critical"}, limitKeys...)
	methodKeys   = []string{"get", "post", "put", "patch", "delete", "head", "options"}
	stepKeys     = append(append([]string{"name", "method", "url"}, append(methodKeys[:len(methodKeys):len(methodKeys)], "headers", "body", "form", "json", "follow_redirects", "expect", "extract", "severity", "cert_warning", "cert_critical")...), stepLimitKeys...)
	expectKeys   = []string{"status", "contains", "not_contains", "regex", "not_regex", "jq", "header", "max_time"}
	extractKeys  = []string{"regex", "jq", "header", "cookie", "secret"}
	// Compiled on first use: one-request mode never names a variable.
	varName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
)

// loadScenario reads and validates the scenario at path. Values from ${env:} and
// ${file:} are resolved once here, so that a missing one is found before
// any request, and registered with masker. Every error names the file and
// the line, and is a usage error.
func loadScenario(ctx context.Context, path string, masker *secret.Masker) (*scenario, error) {
	end := inflight.Begin(ctx, "read scenario "+path, check.UNKNOWN)
	data, err := localfile.Read(path, scenarioFileLimit)
	end()
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %v", path, err)
	}
	end = inflight.Begin(ctx, "parsing scenario "+path, check.UNKNOWN)
	s, err := parseScenario(path, data, masker)
	end()
	if err != nil {
		var le *lineError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("scenario %s line %d: %s", path, le.line, le.msg)
		}
		return nil, fmt.Errorf("scenario %s: %v", path, err)
	}
	return s, nil
}

// parseScenario validates a scenario read from path; loadScenario is parseScenario of a file.
// Its errors are *lineError where a line is known.
func parseScenario(path string, data []byte, masker *secret.Masker) (*scenario, error) {
	if masker == nil {
		masker = new(secret.Masker)
	}
	root, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	if root.kind == nullKind {
		return nil, errors.New("the file is empty: write name, base_url and steps (see the README's scenario file reference)")
	}
	l := &loader{masker: masker}
	return l.scenario(path, root)
}

type loader struct {
	masker *secret.Masker
	s      *scenario
	// defined maps each variable to the step (0-based) that last extracts
	// it so far; later maps every extraction of the whole file, for the
	// message about a variable used before its step.
	defined map[string]int
	later   map[string]int
}

// errAt makes a usage error at line. The text may quote the file (a key,
// a value, a variable's name), which may hold anything: it is kept to one
// line.
func errAt(line int, format string, args ...any) error {
	return &lineError{line: line, msg: textfmt.Sanitize(fmt.Sprintf(format, args...))}
}

// fields walks a mapping, refusing keys not in known.
func fields(n *node, where string, known []string, fn func(key string, k, v *node) error) error {
	if n.kind != mapKind {
		return errAt(n.line, "%s must be a mapping, got %s", where, n.describe())
	}
	for i, k := range n.keys {
		key, ok := k.value.(string)
		if !ok || !contains(known, key) {
			return errAt(k.line, "unknown key %q in %s; known keys: %s", k.text, where, strings.Join(known, ", "))
		}
		if err := fn(key, k, n.vals[i]); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (l *loader) scenario(path string, root *node) (*scenario, error) {
	s := &scenario{path: path}
	l.s = s
	var steps *node
	err := fields(root, "the scenario", scenarioKeys, func(key string, k, v *node) error {
		var err error
		switch key {
		case "name":
			s.Name, err = str(k, v)
		case "base_url":
			if s.baseURL, err = str(k, v); err != nil {
				return err
			}
			err = l.checkBaseURL(k, s.baseURL)
		case "timeout":
			s.Timeout, err = duration(k, v)
		case "headers":
			s.headers, err = l.headerFields(k, v, "headers", -1)
		case "steps":
			steps = v
		case "cert_warning", "cert_critical":
			err = s.cert.setKey(key, k, v)
		case "max_body", "max_redirects":
			err = l.limit(&s.limits, key, k, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.cert.checkOrder("the scenario"); err != nil {
		return nil, err
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if steps == nil {
		return nil, errAt(root.line, "no steps: add a list under steps:, each with a method and a URL (get: /login)")
	}
	if steps.kind == listKind && len(steps.items) == 0 {
		return nil, errAt(steps.line, "steps is an empty list: add at least one step, with a method and a URL (- get: /login)")
	}
	if steps.kind != listKind {
		return nil, errAt(steps.line, "steps must be a list of steps, got %s", steps.describe())
	}
	l.later = map[string]int{}
	for i, st := range steps.items {
		if st.kind != mapKind {
			continue // reported in order below
		}
		for j, k := range st.keys {
			if k.text == "extract" && st.vals[j].kind == mapKind {
				for _, name := range st.vals[j].keys {
					if _, seen := l.later[name.text]; !seen {
						l.later[name.text] = i
					}
				}
			}
		}
	}
	l.defined = map[string]int{}
	for i, st := range steps.items {
		step, err := l.step(i, st)
		if err != nil {
			return nil, err
		}
		s.Steps = append(s.Steps, step)
		for _, x := range step.Extract {
			l.defined[x.Var] = i
		}
	}
	return s, nil
}

func (l *loader) checkBaseURL(k *node, tmpl string) error {
	u, err := l.masker.Expand(tmpl)
	if err != nil {
		return errAt(k.line, "base_url: %v", err)
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return errAt(k.line, "base_url %q is not an http:// or https:// URL with a host", secret.RedactURL(l.masker.Mask(u)))
	}
	if err := netdial.CheckURLPort(p); err != nil {
		return errAt(k.line, "base_url %q: %v", secret.RedactURL(l.masker.Mask(u)), err)
	}
	return nil
}

func (l *loader) step(i int, n *node) (*step, error) {
	where := fmt.Sprintf("step %d", i+1)
	st := &step{Line: n.line}
	var urlKey *node
	var expect *node
	var bodyKey *node
	err := fields(n, where, stepKeys, func(key string, k, v *node) error {
		var err error
		switch key {
		case "name":
			st.Name, err = str(k, v)
		case "method":
			var m string
			if m, err = str(k, v); err != nil {
				return err
			}
			if !validMethod(m) {
				return errAt(k.line, "%s method %q is not an HTTP method (GET, POST, ...)", where, m)
			}
			if st.Method != "" {
				return errAt(k.line, "%s has method: and %s: give the method once: get: URL, or method: with url:", where, strings.ToLower(st.Method))
			}
			st.Method = strings.ToUpper(m)
		case "url":
			if urlKey != nil {
				return errAt(k.line, "%s has url: and %s: give the URL once", where, urlKey.text)
			}
			urlKey = k
			st.url, err = str(k, v)
		case "headers":
			st.headers, err = l.headerFields(k, v, where+" headers", i)
		case "body", "form", "json":
			if bodyKey != nil {
				return errAt(k.line, "%s has %s: and %s: give one body", where, bodyKey.text, key)
			}
			bodyKey = k
			err = l.body(st, i, key, k, v)
		case "follow_redirects":
			var follow bool
			follow, err = boolean(k, v)
			st.NoFollow = !follow
		case "expect":
			expect = v
		case "max_body", "max_redirects", "timeout":
			err = l.limit(&st.limits, key, k, v)
		case "extract":
			err = l.extract(st, i, k, v)
		case "severity":
			var sev string
			if sev, err = str(k, v); err != nil {
				return err
			}
			switch strings.ToLower(sev) {
			case "warning":
				st.Warning = true
			case "critical":
			default:
				return errAt(k.line, "%s severity %q: write warning or critical", where, sev)
			}
		case "cert_warning", "cert_critical":
			err = st.cert.setKey(key, k, v)
		default: // get, post, ...
			if st.Method != "" {
				return errAt(k.line, "%s has %s: and %s: give the method once", where, strings.ToLower(st.Method), key)
			}
			if urlKey != nil {
				return errAt(k.line, "%s has %s: and %s: give the URL once", where, urlKey.text, key)
			}
			st.Method, urlKey = strings.ToUpper(key), k
			st.url, err = str(k, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if urlKey == nil {
		return nil, errAt(n.line, "%s has no URL: write get: /path (or post:, put:, ...), or method: with url:", where)
	}
	if st.Method == "" {
		st.Method = "GET"
	}
	if err := l.checkURL(st, i, urlKey); err != nil {
		return nil, err
	}
	if err := l.oneAuthorization(st, i, urlKey); err != nil {
		return nil, err
	}
	if st.Name == "" {
		st.Name = st.Method + " " + secret.RedactURL(st.url)
	}
	if err := l.stepCert(st, where); err != nil {
		return nil, err
	}
	if expect != nil {
		if err := l.expect(st, where, expect); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// template checks a text that will be expanded when step i runs: its
// ${env:} and ${file:} references resolve now, and every ${name} is
// extracted by an earlier step whose failure stops the journey.
func (l *loader) template(line, i int, what, s string) error {
	var missing string
	_, err := l.masker.ExpandVars(s, func(name string) (secret.Var, bool) {
		if _, ok := l.defined[name]; ok && i >= 0 {
			return secret.Var{}, true
		}
		missing = name
		return secret.Var{}, false
	})
	if err == nil {
		if i < 0 {
			return nil
		}
		return l.warningVars(line, i, what, s)
	}
	if missing != "" {
		if i < 0 {
			return errAt(line, "%s: ${%s}: variables are extracted by steps and usable in later steps only; use ${env:%s} for an environment variable", what, missing, missing)
		}
		if j, ok := l.later[missing]; ok && j == i {
			return errAt(line, "%s uses ${%s}, which this step extracts from its own response: only later steps can use it", what, missing)
		}
		if j, ok := l.later[missing]; ok && j > i {
			return errAt(line, "%s uses ${%s}, which step %d extracts only later: move the extraction before its use", what, missing, j+1)
		}
	}
	return errAt(line, "%s: %v", what, err)
}

// warningVars refuses a variable whose latest extraction is in a
// severity: warning step: that step may fail and the journey go on
// without the value, so the step that needs it could not run.
func (l *loader) warningVars(line, i int, what, s string) error {
	var bad error
	l.masker.ExpandVars(s, func(name string) (secret.Var, bool) {
		if j, ok := l.defined[name]; ok && bad == nil && l.s.Steps[j].Warning {
			bad = errAt(line, "%s uses ${%s}, which step %d extracts, but that step has severity: warning and the journey goes on without it when it fails: make it critical", what, name, j+1)
		}
		return secret.Var{}, true
	})
	return bad
}

func (l *loader) checkURL(st *step, i int, k *node) error {
	where := fmt.Sprintf("step %d %s", i+1, k.text)
	if err := l.template(k.line, i, where, st.url); err != nil {
		return err
	}
	if strings.Contains(st.url, "${") {
		return nil // checked when it is known
	}
	u, err := url.Parse(st.url)
	if err != nil {
		return errAt(k.line, "%s %q is not a URL: %s", where, secret.RedactURL(st.url), secret.ParseError(st.url, err))
	}
	if err := netdial.CheckURLPort(u); err != nil {
		return errAt(k.line, "%s %q: %v", where, secret.RedactURL(st.url), err)
	}
	if u.IsAbs() {
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errAt(k.line, "%s %q: only http:// and https:// URLs with a host", where, secret.RedactURL(st.url))
		}
	} else if l.s.baseURL == "" {
		return errAt(k.line, "%s %q is relative and the scenario has no base_url: add base_url: https://host, or write the whole URL", where, secret.RedactURL(st.url))
	}
	return nil
}

// oneAuthorization refuses user info in a step's URL (or the base_url
// it resolves against) beside an Authorization header: net/http would
// send the header and drop the user info without a word, so one of the
// two credentials is never used.
func (l *loader) oneAuthorization(st *step, i int, k *node) error {
	var header bool
	for _, h := range append(append([]field(nil), l.s.headers...), st.headers...) {
		header = header || strings.EqualFold(h.name, "Authorization")
	}
	if !header || strings.Contains(st.url, "${") {
		return nil
	}
	u, err := url.Parse(st.url)
	if err != nil {
		return nil
	}
	if !u.IsAbs() && u.Host == "" && l.s.baseURL != "" {
		if b, err := l.masker.Expand(l.s.baseURL); err == nil {
			if base, err := url.Parse(b); err == nil {
				u = base.ResolveReference(u)
			}
		}
	}
	if u.User == nil {
		return nil
	}
	return errAt(k.line, "step %d has user info in its URL and an Authorization header: each is a credential for the one header; give it one way", i+1)
}

func (l *loader) headerFields(k, v *node, where string, i int) ([]field, error) {
	if v.kind != mapKind {
		return nil, errAt(k.line, "%s must be a mapping of header names to values, got %s", where, v.describe())
	}
	var out []field
	for j, hk := range v.keys {
		name := hk.text
		if _, err := httpexpect.NewHeaderMatch(name, ""); err != nil {
			return nil, errAt(hk.line, "%s: %q is not a header name", where, name)
		}
		value, err := scalarText(hk, v.vals[j])
		if err != nil {
			return nil, err
		}
		if err := l.template(hk.line, i, where+" "+name, value); err != nil {
			return nil, err
		}
		// What the file and ${env:}/${file:} give is known now; what
		// steps extract is checked when it is (see step.request).
		known, _ := l.masker.ExpandVars(value, func(string) (secret.Var, bool) { return secret.Var{}, true })
		if err := httpprobe.CheckHeaderValue(known); err != nil {
			return nil, errAt(hk.line, "%s %s: %v%s", where, name, err, blockHint(value))
		}
		out = append(out, field{name: name, value: value, line: hk.line})
	}
	return out, nil
}

// blockHint explains the line break a YAML | block leaves at the end of
// its value.
func blockHint(v string) string {
	if strings.HasSuffix(v, "\n") {
		return " (a YAML | or > block ends in one: write the value on the key's line, or use |- )"
	}
	return ""
}

func (l *loader) body(st *step, i int, key string, k, v *node) error {
	where := fmt.Sprintf("step %d %s", i+1, key)
	switch key {
	case "body":
		s, err := str(k, v)
		if err != nil {
			return err
		}
		st.body, st.bodyKind = s, rawBody
		return l.template(k.line, i, where, s)
	case "form":
		if v.kind != mapKind {
			return errAt(k.line, "%s must be a mapping of field names to values, got %s", where, v.describe())
		}
		for j, fk := range v.keys {
			value, err := scalarText(fk, v.vals[j])
			if err != nil {
				return err
			}
			if err := l.template(fk.line, i, where+" "+fk.text, value); err != nil {
				return err
			}
			st.form = append(st.form, field{name: fk.text, value: value, line: fk.line})
		}
		st.bodyKind = formBody
		return nil
	}
	st.json, st.bodyKind = v, jsonBody
	return l.jsonTemplates(i, where, v)
}

// jsonTemplates checks the strings of a JSON body, keys included.
func (l *loader) jsonTemplates(i int, where string, v *node) error {
	switch v.kind {
	case mapKind:
		for j, k := range v.keys {
			if err := l.template(k.line, i, where, k.text); err != nil {
				return err
			}
			if err := l.jsonTemplates(i, where, v.vals[j]); err != nil {
				return err
			}
		}
	case listKind:
		for _, item := range v.items {
			if err := l.jsonTemplates(i, where, item); err != nil {
				return err
			}
		}
	case scalarKind:
		switch x := v.value.(type) {
		case string:
			return l.template(v.line, i, where, x)
		case float64:
			if x != x || x > 1e308 || x < -1e308 {
				return errAt(v.line, "%s: %s has no JSON form", where, v.text)
			}
		}
	}
	return nil
}

func (l *loader) expect(st *step, where string, n *node) error {
	where += " expect"
	e := &st.Expect
	return fields(n, where, expectKeys, func(key string, k, v *node) error {
		what := where + "." + key
		switch key {
		case "status":
			spec, err := statusSpec(k, v, what)
			if err != nil {
				return err
			}
			if e.Status, err = expectspec.ParseStatus(spec); err != nil {
				return errAt(k.line, "%s: %v", what, err)
			}
		case "contains", "not_contains", "regex", "not_regex", "jq":
			list, err := strList(k, v, what)
			if err != nil {
				return err
			}
			for _, s := range list {
				switch key {
				case "contains":
					e.Contains = append(e.Contains, s)
				case "not_contains":
					e.NotContains = append(e.NotContains, s)
				case "regex", "not_regex":
					re, err := expectspec.ParseRegexp(s)
					if err != nil {
						return errAt(k.line, "%s: %v", what, err)
					}
					if key == "regex" {
						e.Patterns = append(e.Patterns, re)
					} else {
						e.Inverted = append(e.Inverted, re)
					}
				case "jq":
					j, err := httpexpect.ParseJQ(s)
					if err != nil {
						return errAt(k.line, "%s: %v", what, err)
					}
					e.JQ = append(e.JQ, j)
				}
			}
		case "header":
			if v.kind != mapKind {
				return errAt(k.line, "%s must be a mapping of header names to regular expressions, got %s", what, v.describe())
			}
			for j, hk := range v.keys {
				re, err := str(hk, v.vals[j])
				if err != nil {
					return err
				}
				h, err := httpexpect.NewHeaderMatch(hk.text, re)
				if err != nil {
					return errAt(hk.line, "%s: %v", what, err)
				}
				e.Headers = append(e.Headers, h)
			}
		case "max_time":
			d, err := duration(k, v)
			if err != nil {
				return err
			}
			e.TimeCritical = d
		}
		return nil
	})
}

// statusSpec accepts 200, [200, 302] and "2xx,404=warning".
func statusSpec(k, v *node, what string) (string, error) {
	items := []*node{v}
	if v.kind == listKind {
		items = v.items
	}
	var parts []string
	for _, it := range items {
		switch it.value.(type) {
		case string, int64, uint64:
			parts = append(parts, it.text)
		default:
			return "", errAt(k.line, "%s wants a code (200), a list of codes ([200, 302]) or a spec (\"2xx\", \"404=warning\"), got %s", what, it.describe())
		}
	}
	if len(parts) == 0 {
		return "", errAt(k.line, "%s is an empty list: give at least one code", what)
	}
	return strings.Join(parts, ","), nil
}

func (l *loader) extract(st *step, i int, k, n *node) error {
	where := fmt.Sprintf("step %d extract", i+1)
	if n.kind != mapKind {
		return errAt(k.line, "%s must be a mapping of variable names to {regex|jq|header|cookie: ...}, got %s", where, n.describe())
	}
	for j, vk := range n.keys {
		name := vk.text
		if !varName().MatchString(name) {
			return errAt(vk.line, "%s: %q is not a variable name (letters, digits and _, not starting with a digit)", where, name)
		}
		x := extraction{Var: name, Line: vk.line}
		what := where + " " + name
		var source *node // jq, header or cookie; none is the body
		err := fields(n.vals[j], what, extractKeys, func(key string, k, v *node) error {
			if key == "secret" {
				var err error
				x.Secret, err = boolean(k, v)
				return err
			}
			if key != "regex" {
				if source != nil {
					return errAt(k.line, "%s has %s: and %s: extract from one of them (regex: may refine either)", what, source.text, key)
				}
				source = k
			}
			s, err := str(k, v)
			if err != nil {
				return err
			}
			switch key {
			case "regex":
				x.Regex, err = expectspec.ParseRegexp(s)
			case "jq":
				var q httpexpect.JQ
				q, err = httpexpect.ParseJQ(s)
				x.JQ = &q
			case "header":
				var h httpexpect.HeaderMatch
				h, err = httpexpect.NewHeaderMatch(s, "")
				x.Header = h.Name
			case "cookie":
				if s == "" || strings.ContainsAny(s, " \t\r\n;=,\"") {
					err = fmt.Errorf("%q is not a cookie name", s)
				}
				x.Cookie = s
			}
			if err != nil {
				return errAt(k.line, "%s: %v", what, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if source == nil && x.Regex == nil {
			return errAt(vk.line, "%s says neither regex:, jq:, header: nor cookie:", what)
		}
		st.Extract = append(st.Extract, x)
	}
	return nil
}

func str(k, v *node) (string, error) {
	if s, ok := v.value.(string); ok && v.kind == scalarKind {
		return s, nil
	}
	return "", errAt(k.line, "%s wants a string, got %s (quote it)", k.text, v.describe())
}

// scalarText accepts a string, number or true/false as written: header
// and form values are text on the wire whatever YAML makes of them.
func scalarText(k, v *node) (string, error) {
	if v.kind != scalarKind {
		return "", errAt(k.line, "%s wants a value, got %s", k.text, v.describe())
	}
	if s, ok := v.value.(string); ok {
		return s, nil
	}
	return v.text, nil
}

func boolean(k, v *node) (bool, error) {
	if b, ok := v.value.(bool); ok {
		return b, nil
	}
	return false, errAt(k.line, "%s wants true or false, got %s", k.text, v.describe())
}

func duration(k, v *node) (time.Duration, error) {
	var text string
	switch v.value.(type) {
	case string, int64, uint64, float64:
		text = v.text
	default:
		return 0, errAt(k.line, "%s wants a duration (2s, 1m30s) or seconds, got %s", k.text, v.describe())
	}
	d, err := cli.ParseDuration(text)
	if err != nil {
		return 0, errAt(k.line, "%s: %v", k.text, err)
	}
	if d <= 0 {
		return 0, errAt(k.line, "%s must be more than zero", k.text)
	}
	return d, nil
}

func strList(k, v *node, what string) ([]string, error) {
	items := []*node{v}
	if v.kind == listKind {
		items = v.items
	}
	var out []string
	for _, it := range items {
		s, ok := it.value.(string)
		if !ok || it.kind != scalarKind {
			return nil, errAt(k.line, "%s wants a string or a list of strings, got %s (quote it)", what, it.describe())
		}
		out = append(out, s)
	}
	return out, nil
}
