// Package appmetrics is mackerel-plugin-app: graphs of the targets the checks
// alert on, measured by the same code the checks use (the TLS judgement of
// check-tls-expiry, the HTTP probe of check-http-e2e, the /proc scanner and
// process groups of check-process), so that a graph and an alert about the
// same target always agree.
//
// It is the only package that links go-mackerel-plugin, and uses it for its
// graph-definition types and unit names only: the library prints to
// os.Stdout and exits through log.Fatal, which a plugin whose output must
// never be half-printed cannot allow, so the lines are written here.
package appmetrics

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/procgroup"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlstarget"
)

// validName is what Mackerel allows in one segment of a metric name,
// without the dot that separates segments.
var validName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// tlsTarget is one --tls NAME=HOST[:PORT] or NAME=file:PATH.
type tlsTarget struct {
	Name   string
	Target tlstarget.Target
}

// httpTarget is one --http NAME=URL.
type httpTarget struct {
	Name string
	URL  string
}

// processTarget is one --process NAME=RE, NAME=name:COMM or NAME=unit:UNIT.
type processTarget struct {
	Name   string
	Select *procgroup.Selector
}

// targetSpec is what a metric prefix and its targets say, whether given as flags
// or in a config file.
type targetSpec struct {
	TLS     []tlsTarget
	HTTP    []httpTarget
	Process []processTarget
}

// splitNamed reads NAME=VALUE and checks NAME. Errors quote the flag's
// value as show writes it: a URL with its credentials hidden.
func splitNamed(flag, s string, show func(string) string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("%s %q: write NAME=VALUE, where NAME becomes part of the metric name", flag, show(s))
	}
	if !validName.MatchString(name) {
		return "", "", fmt.Errorf("%s %q: the name %q may hold only letters, digits, '_' and '-', as Mackerel metric names allow", flag, name+"="+show(value), name)
	}
	if value == "" {
		return "", "", fmt.Errorf("%s %q: nothing after '=' to measure", flag, s)
	}
	return name, value, nil
}

func asWritten(s string) string { return s }

// parseTLS reads NAME=HOST[:PORT] (port 443 by default) or NAME=file:PATH.
// A target is quoted as RedactURL shows it: user info written into it
// (which is refused) may be a password.
func parseTLS(s string) (tlsTarget, error) {
	name, value, err := splitNamed("--tls", s, secret.RedactURL)
	if err != nil {
		return tlsTarget{}, err
	}
	shown := name + "=" + secret.RedactURL(value)
	if path, ok := strings.CutPrefix(value, "file:"); ok {
		if path == "" {
			return tlsTarget{}, fmt.Errorf("--tls %q: file: needs a path", shown)
		}
		return tlsTarget{Name: name, Target: tlstarget.Target{Path: path}}, nil
	}
	t, err := tlstarget.ParseURL(value, 443)
	if err != nil {
		return tlsTarget{}, fmt.Errorf("--tls %q: %v", shown, err)
	}
	return tlsTarget{Name: name, Target: t}, nil
}

// parseHTTP reads NAME=URL, an http or https URL.
func parseHTTP(s string) (httpTarget, error) {
	name, value, err := splitNamed("--http", s, secret.RedactURL)
	if err != nil {
		return httpTarget{}, err
	}
	// As check-http-e2e's -u: a URL no request can be made to is a
	// mistake in the configuration, not a target down on every run.
	u, err := url.Parse(value)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return httpTarget{}, fmt.Errorf("--http %q: the URL is not an http:// or https:// URL with a host", name+"="+secret.RedactURL(value))
	}
	if err := netdial.CheckURLPort(u); err != nil {
		return httpTarget{}, fmt.Errorf("--http %q: %v", name+"="+secret.RedactURL(value), err)
	}
	return httpTarget{Name: name, URL: value}, nil
}

// selectorHints say how to write a selector of each kind, in this plugin's
// syntax: procgroup's errors say what is wrong with the value alone.
var selectorHints = map[procgroup.Kind]string{
	procgroup.Pattern: "; or write name:COMM or unit:UNIT",
	procgroup.Name:    ", as in name:nginx",
	procgroup.Unit:    ": write unit:nginx or unit:nginx.service",
}

// parseProcess reads NAME=RE (the command line matches), NAME=name:COMM or
// NAME=unit:UNIT.
func parseProcess(s string) (processTarget, error) {
	name, value, err := splitNamed("--process", s, asWritten)
	if err != nil {
		return processTarget{}, err
	}
	kind := procgroup.Pattern
	if v, ok := strings.CutPrefix(value, "name:"); ok {
		kind, value = procgroup.Name, v
	} else if v, ok := strings.CutPrefix(value, "unit:"); ok {
		kind, value = procgroup.Unit, v
	}
	sel, err := procgroup.NewSelector(kind, value)
	if err != nil {
		return processTarget{}, fmt.Errorf("--process %q: %v%s", s, err, selectorHints[kind])
	}
	return processTarget{Name: name, Select: sel}, nil
}

// add parses one target of a kind ("tls", "http", "process") into s.
func (s *targetSpec) add(kind, target string) error {
	switch kind {
	case "tls":
		t, err := parseTLS(target)
		if err != nil {
			return err
		}
		s.TLS = append(s.TLS, t)
	case "http":
		t, err := parseHTTP(target)
		if err != nil {
			return err
		}
		s.HTTP = append(s.HTTP, t)
	case "process":
		t, err := parseProcess(target)
		if err != nil {
			return err
		}
		s.Process = append(s.Process, t)
	default:
		return fmt.Errorf("unknown target kind %q", kind)
	}
	return nil
}

// validate refuses a name used twice within a kind: two targets would print
// the same metric.
func (s *targetSpec) validate() error {
	for _, kind := range []struct {
		flag  string
		names []string
	}{
		{"--tls", names(s.TLS, func(t tlsTarget) string { return t.Name })},
		{"--http", names(s.HTTP, func(t httpTarget) string { return t.Name })},
		{"--process", names(s.Process, func(t processTarget) string { return t.Name })},
	} {
		seen := map[string]bool{}
		for _, n := range kind.names {
			if seen[n] {
				return fmt.Errorf("%s name %q is given twice: each target needs a name of its own", kind.flag, n)
			}
			seen[n] = true
		}
	}
	return nil
}

func names[T any](ts []T, name func(T) string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = name(t)
	}
	return out
}

// validPrefix checks --prefix: dot-separated segments Mackerel allows, the
// first not "custom", which the agent puts before every name itself.
func validPrefix(p string) error {
	if first, rest, _ := strings.Cut(p, "."); first == "custom" {
		return fmt.Errorf("--prefix %q: the agent adds custom. itself (the graphs would be custom.%s.*): leave it out, as in --prefix %s", p, p, cmp.Or(rest, defaultPrefix))
	}
	for seg := range strings.SplitSeq(p, ".") {
		if !validName.MatchString(seg) {
			return fmt.Errorf("--prefix %q: write one or more names of letters, digits, '_' and '-', separated by dots", p)
		}
	}
	return nil
}
