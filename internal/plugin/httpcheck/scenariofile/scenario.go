// Package scenariofile reads check-http-e2e's scenario files: the YAML
// of a journey's steps, checked whole (unknown keys, types, methods, URLs
// and ports, templates and the order of the variables they use, headers,
// bodies, expectations, extractions, limits, certificate thresholds, the
// size and depth of the file) before any request is sent, each problem
// named with its line and column.
//
// It links no HTTP client and no TLS (net/http, crypto/tls, the probes):
// check-http-e2e turns what it reads into requests, and frontline checks
// a catalog's scenarios with it in CI, on a machine that will never run
// them. It links gojq to compile the jq of expectations and extractions.
package scenariofile

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
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/jqexpr"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/spec"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpreq"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// FileLimit caps a scenario file. A journey of a few dozen steps is a
// few KiB; the YAML parser takes some hundred times a file's size in
// memory, and a check has a memory cap.
const FileLimit = 256 << 10

// Scenario is a loaded, validated scenario file.
type Scenario struct {
	Name string
	// Timeout bounds the whole run; zero leaves it to the caller's
	// deadline.
	Timeout time.Duration
	Steps   []*Step

	Path    string
	BaseURL string // template: ${env:} and ${file:} only
	Headers []Field
	Cert    CertThresholds // for every step
	Limits  Limits
}

// Step is one request and what its response must be.
type Step struct {
	Name   string
	Method string
	// Line is where the step starts in the file.
	Line int

	URL      string // template
	Headers  []Field
	Body     string // template
	Form     []Field
	BodyKind BodyKind
	json     *node // body as JSON, strings templates (WriteJSON)

	NoFollow bool
	Expect   Expect
	Extract  []Extraction
	// Warning makes a failure of this step WARNING instead of CRITICAL,
	// and the journey goes on after it.
	Warning bool

	Cert    CertThresholds // the step's own, then the scenario's
	CertOwn bool           // the step sets thresholds of its own
	Limits  Limits
}

// BodyKind says which of body:, form: and json: a step sends.
type BodyKind int

const (
	NoBody BodyKind = iota
	RawBody
	FormBody
	JSONBody
)

// Field is a name and a template value, in the order written.
type Field struct {
	Name, Value string
	Line        int
}

// Expect is what a step's response must be, as its expect: says.
type Expect struct {
	Status             spec.Status
	Patterns, Inverted []*regexp.Regexp // regex:, not_regex:
	Contains           []string
	NotContains        []string
	JQ                 []jqexpr.Query
	Headers            []spec.HeaderMatch
	MaxTime            time.Duration
}

// Extraction takes a value from a response for later steps: the first
// value of a jq expression, a header, or a cookie of the jar, by name; or
// the body. Regex, when set, then takes its first group (the whole match
// when it has no group) from that value: alone, it reads the body.
type Extraction struct {
	Var    string
	Regex  *regexp.Regexp
	JQ     *jqexpr.Query
	Header string
	Cookie string
	// Secret values are masked in every output once extracted. A value
	// from a cookie, or a header that carries credentials (Set-Cookie),
	// always is.
	Secret bool
	Line   int
}

// Error is what is wrong with a scenario file, where it is: Line and Col
// count from 1, and are 0 when the place is not known (a file that cannot
// be read, an empty one). Path is the file's, when the error comes from
// Load or Check.
type Error struct {
	Path      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	switch {
	case e.Path == "":
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	case e.Line == 0:
		return fmt.Sprintf("scenario %s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("scenario %s line %d: %s", e.Path, e.Line, e.Msg)
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

// Load reads and validates the scenario at path, for the run on this
// host. Values from ${env:} and ${file:} are resolved once here, so that a
// missing one is found before any request, and registered with masker. A
// refusal is an *Error, a usage error of the check.
func Load(ctx context.Context, path string, masker *secret.Masker) (*Scenario, error) {
	end := inflight.Begin(ctx, "read scenario "+path, check.UNKNOWN)
	data, err := localfile.Read(path, FileLimit)
	end()
	if err != nil {
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	end = inflight.Begin(ctx, "parsing scenario "+path, check.UNKNOWN)
	s, err := Parse(path, data, masker)
	end()
	return s, withPath(path, err)
}

// Check validates a scenario meant for another host (frontline checking a
// catalog in CI): everything Load finds but the values of ${env:} and
// ${file:}, which that host has and this one need not, and whose
// references are checked for their form only. data is the file as read;
// path names it as that host will (a scenario without name: is named
// after it). A refusal is an *Error; the scenario returned keeps its
// references as written.
func Check(path string, data []byte) (*Scenario, error) {
	if len(data) > FileLimit {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("%d bytes, more than the %d a scenario may be", len(data), FileLimit)}
	}
	l := &loader{masker: new(secret.Masker), expand: secret.ExpandElsewhere, elsewhere: true}
	s, err := l.parse(path, data)
	return s, withPath(path, err)
}

// Parse validates a scenario read from path, resolving its references as
// Load does (a nil masker registers them nowhere). Its errors are *Error,
// with Path left empty.
func Parse(path string, data []byte, masker *secret.Masker) (*Scenario, error) {
	if masker == nil {
		masker = new(secret.Masker)
	}
	l := &loader{masker: masker, expand: masker.ExpandVars}
	return l.parse(path, data)
}

func withPath(path string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Msg: err.Error()}
	}
	out := *e
	out.Path = path
	return &out
}

func (l *loader) parse(path string, data []byte) (*Scenario, error) {
	root, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	if root.kind == nullKind {
		return nil, &Error{Msg: "the file is empty: write name, base_url and steps (see the Scenario file reference in check-http-e2e/README.md)"}
	}
	return l.scenario(path, root)
}

type loader struct {
	// masker masks what messages quote; expand resolves references
	// (masker.ExpandVars), or checks their form only (elsewhere).
	masker    *secret.Masker
	expand    func(s string, vars secret.Lookup) (string, error)
	elsewhere bool
	s         *Scenario
	// defined maps each variable to the step (0-based) that last extracts
	// it so far; later maps every extraction of the whole file, for the
	// message about a variable used before its step.
	defined map[string]int
	later   map[string]int
}

// errAt makes a usage error at line. The text may quote the file (a key,
// a value, a variable's name), which may hold anything: it is kept to one
// line.
func errAt(p pos, format string, args ...any) error {
	return &Error{Line: p.line, Col: p.col, Msg: textfmt.Sanitize(fmt.Sprintf(format, args...))}
}

// fields walks a mapping, refusing keys not in known.
func fields(n *node, where string, known []string, fn func(key string, k, v *node) error) error {
	if n.kind != mapKind {
		return errAt(n.at(), "%s must be a mapping, got %s", where, n.describe())
	}
	for i, k := range n.keys {
		key, ok := k.value.(string)
		if !ok || !contains(known, key) {
			return errAt(k.at(), "unknown key %q in %s; known keys: %s", k.text, where, strings.Join(known, ", "))
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

func (l *loader) scenario(path string, root *node) (*Scenario, error) {
	s := &Scenario{Path: path}
	l.s = s
	var steps *node
	err := fields(root, "the scenario", scenarioKeys, func(key string, k, v *node) error {
		var err error
		switch key {
		case "name":
			s.Name, err = str(k, v)
		case "base_url":
			if s.BaseURL, err = str(k, v); err != nil {
				return err
			}
			err = l.checkBaseURL(k, s.BaseURL)
		case "timeout":
			s.Timeout, err = duration(k, v)
		case "headers":
			s.Headers, err = l.headerFields(k, v, "headers", -1)
		case "steps":
			steps = v
		case "cert_warning", "cert_critical":
			err = s.Cert.setKey(key, k, v)
		case "max_body", "max_redirects":
			err = l.limit(&s.Limits, key, k, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.Cert.checkOrder("the scenario"); err != nil {
		return nil, err
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if steps == nil {
		return nil, errAt(root.at(), "no steps: add a list under steps:, each with a method and a URL (get: /login)")
	}
	if steps.kind == listKind && len(steps.items) == 0 {
		return nil, errAt(steps.at(), "steps is an empty list: add at least one step, with a method and a URL (- get: /login)")
	}
	if steps.kind != listKind {
		return nil, errAt(steps.at(), "steps must be a list of steps, got %s", steps.describe())
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

// expandRefs is expand with no variables: any ${name} is an error.
func (l *loader) expandRefs(s string) (string, error) { return l.expand(s, nil) }

func (l *loader) checkBaseURL(k *node, tmpl string) error {
	u, err := l.expandRefs(tmpl)
	if err != nil {
		return errAt(k.at(), "base_url: %v", err)
	}
	if l.elsewhere && strings.Contains(u, "${") {
		// A reference stands for what another host has: the URL is
		// known there.
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return errAt(k.at(), "base_url %q is not an http:// or https:// URL with a host", secret.RedactURL(l.masker.Mask(u)))
	}
	if err := netdial.CheckURLPort(p); err != nil {
		return errAt(k.at(), "base_url %q: %v", secret.RedactURL(l.masker.Mask(u)), err)
	}
	return nil
}

func (l *loader) step(i int, n *node) (*Step, error) {
	where := fmt.Sprintf("step %d", i+1)
	st := &Step{Line: n.line}
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
			if !httpreq.ValidMethod(m) {
				return errAt(k.at(), "%s method %q is not an HTTP method (GET, POST, ...)", where, m)
			}
			if st.Method != "" {
				return errAt(k.at(), "%s has method: and %s: give the method once: get: URL, or method: with url:", where, strings.ToLower(st.Method))
			}
			st.Method = strings.ToUpper(m)
		case "url":
			if urlKey != nil {
				return errAt(k.at(), "%s has url: and %s: give the URL once", where, urlKey.text)
			}
			urlKey = k
			st.URL, err = str(k, v)
		case "headers":
			st.Headers, err = l.headerFields(k, v, where+" headers", i)
		case "body", "form", "json":
			if bodyKey != nil {
				return errAt(k.at(), "%s has %s: and %s: give one body", where, bodyKey.text, key)
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
			err = l.limit(&st.Limits, key, k, v)
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
				return errAt(k.at(), "%s severity %q: write warning or critical", where, sev)
			}
		case "cert_warning", "cert_critical":
			err = st.Cert.setKey(key, k, v)
		default: // get, post, ...
			if st.Method != "" {
				return errAt(k.at(), "%s has %s: and %s: give the method once", where, strings.ToLower(st.Method), key)
			}
			if urlKey != nil {
				return errAt(k.at(), "%s has %s: and %s: give the URL once", where, urlKey.text, key)
			}
			st.Method, urlKey = strings.ToUpper(key), k
			st.URL, err = str(k, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if urlKey == nil {
		return nil, errAt(n.at(), "%s has no URL: write get: /path (or post:, put:, ...), or method: with url:", where)
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
		st.Name = st.Method + " " + secret.RedactURL(st.URL)
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

// template checks a text that will be expanded when step i runs: its
// ${env:} and ${file:} references resolve now, and every ${name} is
// extracted by an earlier step whose failure stops the journey.
func (l *loader) template(p pos, i int, what, s string) error {
	var missing string
	_, err := l.expand(s, func(name string) (secret.Var, bool) {
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
		return l.warningVars(p, i, what, s)
	}
	if missing != "" {
		if i < 0 {
			return errAt(p, "%s: ${%s}: variables are extracted by steps and usable in later steps only; use ${env:%s} for an environment variable", what, missing, missing)
		}
		if j, ok := l.later[missing]; ok && j == i {
			return errAt(p, "%s uses ${%s}, which this step extracts from its own response: only later steps can use it", what, missing)
		}
		if j, ok := l.later[missing]; ok && j > i {
			return errAt(p, "%s uses ${%s}, which step %d extracts only later: move the extraction before its use", what, missing, j+1)
		}
	}
	return errAt(p, "%s: %v", what, err)
}

// warningVars refuses a variable whose latest extraction is in a
// severity: warning step: that step may fail and the journey go on
// without the value, so the step that needs it could not run.
func (l *loader) warningVars(p pos, i int, what, s string) error {
	var bad error
	l.expand(s, func(name string) (secret.Var, bool) {
		if j, ok := l.defined[name]; ok && bad == nil && l.s.Steps[j].Warning {
			bad = errAt(p, "%s uses ${%s}, which step %d extracts, but that step has severity: warning and the journey goes on without it when it fails: make it critical", what, name, j+1)
		}
		return secret.Var{}, true
	})
	return bad
}

func (l *loader) checkURL(st *Step, i int, k *node) error {
	where := fmt.Sprintf("step %d %s", i+1, k.text)
	if err := l.template(k.at(), i, where, st.URL); err != nil {
		return err
	}
	if strings.Contains(st.URL, "${") {
		return nil // checked when it is known
	}
	u, err := url.Parse(st.URL)
	if err != nil {
		return errAt(k.at(), "%s %q is not a URL: %s", where, secret.RedactURL(st.URL), secret.ParseError(st.URL, err))
	}
	if err := netdial.CheckURLPort(u); err != nil {
		return errAt(k.at(), "%s %q: %v", where, secret.RedactURL(st.URL), err)
	}
	if u.IsAbs() {
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errAt(k.at(), "%s %q: only http:// and https:// URLs with a host", where, secret.RedactURL(st.URL))
		}
	} else if l.s.BaseURL == "" {
		return errAt(k.at(), "%s %q is relative and the scenario has no base_url: add base_url: https://host, or write the whole URL", where, secret.RedactURL(st.URL))
	}
	return nil
}

// oneAuthorization refuses user info in a step's URL (or the base_url
// it resolves against) beside an Authorization header: net/http would
// send the header and drop the user info without a word, so one of the
// two credentials is never used.
func (l *loader) oneAuthorization(st *Step, i int, k *node) error {
	var header bool
	for _, h := range append(append([]Field(nil), l.s.Headers...), st.Headers...) {
		header = header || strings.EqualFold(h.Name, "Authorization")
	}
	if !header || strings.Contains(st.URL, "${") {
		return nil
	}
	u, err := url.Parse(st.URL)
	if err != nil {
		return nil
	}
	if !u.IsAbs() && u.Host == "" && l.s.BaseURL != "" {
		if b, err := l.expandRefs(l.s.BaseURL); err == nil {
			if base, err := url.Parse(b); err == nil {
				u = base.ResolveReference(u)
			}
		}
	}
	if u.User == nil {
		return nil
	}
	return errAt(k.at(), "step %d has user info in its URL and an Authorization header: each is a credential for the one header; give it one way", i+1)
}

func (l *loader) headerFields(k, v *node, where string, i int) ([]Field, error) {
	if v.kind != mapKind {
		return nil, errAt(k.at(), "%s must be a mapping of header names to values, got %s", where, v.describe())
	}
	var out []Field
	for j, hk := range v.keys {
		name := hk.text
		if _, err := spec.NewHeaderMatch(name, ""); err != nil {
			return nil, errAt(hk.at(), "%s: %q is not a header name", where, name)
		}
		value, err := scalarText(hk, v.vals[j])
		if err != nil {
			return nil, err
		}
		if err := l.template(hk.at(), i, where+" "+name, value); err != nil {
			return nil, err
		}
		// What the file and ${env:}/${file:} give is known now; what
		// steps extract is checked when it is (see step.request).
		known, _ := l.expand(value, func(string) (secret.Var, bool) { return secret.Var{}, true })
		if err := httpreq.CheckHeaderValue(known); err != nil {
			return nil, errAt(hk.at(), "%s %s: %v%s", where, name, err, blockHint(value))
		}
		out = append(out, Field{Name: name, Value: value, Line: hk.line})
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

func (l *loader) body(st *Step, i int, key string, k, v *node) error {
	where := fmt.Sprintf("step %d %s", i+1, key)
	switch key {
	case "body":
		s, err := str(k, v)
		if err != nil {
			return err
		}
		st.Body, st.BodyKind = s, RawBody
		return l.template(k.at(), i, where, s)
	case "form":
		if v.kind != mapKind {
			return errAt(k.at(), "%s must be a mapping of field names to values, got %s", where, v.describe())
		}
		for j, fk := range v.keys {
			value, err := scalarText(fk, v.vals[j])
			if err != nil {
				return err
			}
			if err := l.template(fk.at(), i, where+" "+fk.text, value); err != nil {
				return err
			}
			st.Form = append(st.Form, Field{Name: fk.text, Value: value, Line: fk.line})
		}
		st.BodyKind = FormBody
		return nil
	}
	st.json, st.BodyKind = v, JSONBody
	return l.jsonTemplates(i, where, v)
}

// jsonTemplates checks the strings of a JSON body, keys included.
func (l *loader) jsonTemplates(i int, where string, v *node) error {
	switch v.kind {
	case mapKind:
		for j, k := range v.keys {
			if err := l.template(k.at(), i, where, k.text); err != nil {
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
			return l.template(v.at(), i, where, x)
		case float64:
			if x != x || x > 1e308 || x < -1e308 {
				return errAt(v.at(), "%s: %s has no JSON form", where, v.text)
			}
		}
	}
	return nil
}

func (l *loader) expect(st *Step, where string, n *node) error {
	where += " expect"
	e := &st.Expect
	return fields(n, where, expectKeys, func(key string, k, v *node) error {
		what := where + "." + key
		switch key {
		case "status":
			text, err := statusSpec(k, v, what)
			if err != nil {
				return err
			}
			if e.Status, err = spec.ParseStatus(text); err != nil {
				return errAt(k.at(), "%s: %v", what, err)
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
					re, err := spec.ParseRegexp(s)
					if err != nil {
						return errAt(k.at(), "%s: %v", what, err)
					}
					if key == "regex" {
						e.Patterns = append(e.Patterns, re)
					} else {
						e.Inverted = append(e.Inverted, re)
					}
				case "jq":
					j, err := jqexpr.Parse(s)
					if err != nil {
						return errAt(k.at(), "%s: %v", what, err)
					}
					e.JQ = append(e.JQ, j)
				}
			}
		case "header":
			if v.kind != mapKind {
				return errAt(k.at(), "%s must be a mapping of header names to regular expressions, got %s", what, v.describe())
			}
			for j, hk := range v.keys {
				re, err := str(hk, v.vals[j])
				if err != nil {
					return err
				}
				h, err := spec.NewHeaderMatch(hk.text, re)
				if err != nil {
					return errAt(hk.at(), "%s: %v", what, err)
				}
				e.Headers = append(e.Headers, h)
			}
		case "max_time":
			d, err := duration(k, v)
			if err != nil {
				return err
			}
			e.MaxTime = d
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
			return "", errAt(k.at(), "%s wants a code (200), a list of codes ([200, 302]) or a spec (\"2xx\", \"404=warning\"), got %s", what, it.describe())
		}
	}
	if len(parts) == 0 {
		return "", errAt(k.at(), "%s is an empty list: give at least one code", what)
	}
	return strings.Join(parts, ","), nil
}

func (l *loader) extract(st *Step, i int, k, n *node) error {
	where := fmt.Sprintf("step %d extract", i+1)
	if n.kind != mapKind {
		return errAt(k.at(), "%s must be a mapping of variable names to {regex|jq|header|cookie: ...}, got %s", where, n.describe())
	}
	for j, vk := range n.keys {
		name := vk.text
		if !varName().MatchString(name) {
			return errAt(vk.at(), "%s: %q is not a variable name (letters, digits and _, not starting with a digit)", where, name)
		}
		x := Extraction{Var: name, Line: vk.line}
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
					return errAt(k.at(), "%s has %s: and %s: extract from one of them (regex: may refine either)", what, source.text, key)
				}
				source = k
			}
			s, err := str(k, v)
			if err != nil {
				return err
			}
			switch key {
			case "regex":
				x.Regex, err = spec.ParseRegexp(s)
			case "jq":
				var q jqexpr.Query
				q, err = jqexpr.Parse(s)
				x.JQ = &q
			case "header":
				var h spec.HeaderMatch
				h, err = spec.NewHeaderMatch(s, "")
				x.Header = h.Name
			case "cookie":
				if s == "" || strings.ContainsAny(s, " \t\r\n;=,\"") {
					err = fmt.Errorf("%q is not a cookie name", s)
				}
				x.Cookie = s
			}
			if err != nil {
				return errAt(k.at(), "%s: %v", what, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if source == nil && x.Regex == nil {
			return errAt(vk.at(), "%s says neither regex:, jq:, header: nor cookie:", what)
		}
		st.Extract = append(st.Extract, x)
	}
	return nil
}

func str(k, v *node) (string, error) {
	if s, ok := v.value.(string); ok && v.kind == scalarKind {
		return s, nil
	}
	return "", errAt(k.at(), "%s wants a string, got %s (quote it)", k.text, v.describe())
}

// scalarText accepts a string, number or true/false as written: header
// and form values are text on the wire whatever YAML makes of them.
func scalarText(k, v *node) (string, error) {
	if v.kind != scalarKind {
		return "", errAt(k.at(), "%s wants a value, got %s", k.text, v.describe())
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
	return false, errAt(k.at(), "%s wants true or false, got %s", k.text, v.describe())
}

func duration(k, v *node) (time.Duration, error) {
	var text string
	switch v.value.(type) {
	case string, int64, uint64, float64:
		text = v.text
	default:
		return 0, errAt(k.at(), "%s wants a duration (2s, 1m30s) or seconds, got %s", k.text, v.describe())
	}
	d, err := cli.ParseDuration(text)
	if err != nil {
		return 0, errAt(k.at(), "%s: %v", k.text, err)
	}
	if d <= 0 {
		return 0, errAt(k.at(), "%s must be more than zero", k.text)
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
			return nil, errAt(k.at(), "%s wants a string or a list of strings, got %s (quote it)", what, it.describe())
		}
		out = append(out, s)
	}
	return out, nil
}
