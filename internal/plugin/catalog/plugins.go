package catalog

import (
	"fmt"
	"github.com/goccy/go-yaml"
	"regexp"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/procgroup"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/proccheck"
	tlsoptions "github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry/options"
)

// Plugin is what frontline needs of a plugin without running it: its
// option parser, so that a catalog that passes `frontline check` never
// produces a usage error on a host, and its message renderer, so that
// the document shows the alert the plugin itself would send.
//
// This file is the one place that knows how each plugin's options and
// messages are reached. The parsers reached here are the shared ones the
// plugins' flags are built from (thresholds, durations, process
// selectors); the flags only a plugin's main package knows are passed
// through unchecked until the plugin exports its parser.
type Plugin interface {
	// Command is the executable's name.
	Command() string
	// ValidateArgs parses the arguments a generated check runs the
	// plugin with and returns the plugin's own usage error, if any.
	ValidateArgs(args []string) error
	// ExampleMessage is the alert the item's check, run with args, sends
	// when it fails.
	ExampleMessage(args []string, it *Item) string
}

// ExampleMessage is the alert the item's check sends when it fails, as
// its plugin words it.
func (c *Catalog) ExampleMessage(it *Item) string {
	return PluginOf(it.Kind).ExampleMessage(c.Args(it, c.Host(Host{})), it)
}

// PluginOf returns the plugin an item of kind runs.
func PluginOf(kind Kind) Plugin {
	switch kind {
	case TLS:
		return tlsPlugin{}
	case HTTP:
		return httpPlugin{}
	case Process:
		return processPlugin{}
	}
	panic("catalog: no plugin for kind " + string(kind))
}

// flagCheck checks the value of one flag.
type flagCheck func(flag, value string) error

// flagSpec lists the value-taking flags whose values are checked, and
// the flags that take a value without a check here, so that a value is
// never mistaken for a flag.
type flagSpec struct {
	checks map[string]flagCheck
	valued map[string]bool
}

func (s flagSpec) validate(args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, value, inline := strings.Cut(a, "=")
		check, checked := s.checks[name]
		if !checked && !s.valued[name] {
			continue
		}
		if !inline {
			if i+1 >= len(args) {
				return fmt.Errorf("%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if checked {
			if err := check(name, value); err != nil {
				return err
			}
		}
	}
	return nil
}

func expiryValue(flag, v string) error {
	if _, err := threshold.ParseExpiry(v); err != nil {
		return fmt.Errorf("%s: %v", flag, err)
	}
	return nil
}

func durationValue(flag, v string) error {
	var d cli.Duration
	if err := d.UnmarshalFlag(v); err != nil {
		return fmt.Errorf("%s: %v", flag, err)
	}
	return nil
}

func countValue(flag, v string) error {
	var c threshold.Count
	if err := c.UnmarshalFlag(v); err != nil {
		return fmt.Errorf("%s: %v", flag, err)
	}
	return nil
}

func sizeValue(flag, v string) error {
	if _, err := threshold.ParseSize(v); err != nil {
		return fmt.Errorf("%s: %v", flag, err)
	}
	return nil
}

func percentValue(flag, v string) error {
	var p threshold.Percent
	if err := p.UnmarshalFlag(v); err != nil {
		return fmt.Errorf("%s: %v", flag, err)
	}
	return nil
}

func regexpValue(flag, v string) error {
	if _, err := regexp.Compile(v); err != nil {
		return fmt.Errorf("%s %q is not a regular expression: %v", flag, v, err)
	}
	return nil
}

func selectorValue(kind procgroup.Kind) flagCheck {
	return func(flag, v string) error {
		if kind == procgroup.Exe && !strings.HasPrefix(v, "/") {
			// NewSelector resolves links on this machine: only the
			// form is checked, since the path is the host's.
			return fmt.Errorf("--exe %q is not an absolute path: write the executable's full path, as /proc/PID/exe shows it", v)
		}
		if kind == procgroup.Exe {
			return nil
		}
		_, err := procgroup.NewSelector(kind, v)
		return err
	}
}

var common = map[string]flagCheck{
	"-t": durationValue, "--timeout": durationValue,
	"--drill-max-age": durationValue,
}

func with(m map[string]flagCheck, more map[string]flagCheck) map[string]flagCheck {
	out := map[string]flagCheck{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

func set(names ...string) map[string]bool {
	m := map[string]bool{"--drill-file": true}
	for _, n := range names {
		m[n] = true
	}
	return m
}

type tlsPlugin struct{}

func (tlsPlugin) Command() string { return "check-tls-expiry" }

func (tlsPlugin) ValidateArgs(args []string) error {
	_, err := tlsoptions.ParseArgs(args)
	return err
}

func (tlsPlugin) ExampleMessage(_ []string, it *Item) string {
	crit := it.Critical
	if crit == "" {
		crit = "14"
	}
	target := it.Target
	if target == "" {
		target = it.File
	}
	r := &check.Report{Tag: "TLS", Findings: []check.Finding{{
		Status: check.CRITICAL,
		Text:   fmt.Sprintf("%s: certificate expires in 3 days, under -c %s", target, crit),
	}}}
	return r.Message()
}

type httpPlugin struct{}

func (httpPlugin) Command() string { return "check-http-e2e" }

var httpFlags = flagSpec{
	checks: with(common, map[string]flagCheck{
		"-w": durationValue, "--warning": durationValue, "-c": durationValue, "--critical": durationValue,
		"--cert-warning": expiryValue, "--cert-critical": expiryValue,
		"-p": regexpValue, "--pattern": regexpValue, "--invert-pattern": regexpValue,
	}),
	valued: set("-u", "--url", "-m", "--method", "-H", "--header", "-d", "--body", "--body-file", "--content-type", "--user",
		"-s", "--status", "--contains", "--jq", "--header-match", "--max-redirects", "--max-body",
		"--ca-file", "--cert-file", "--key-file", "--connect-to", "--resolve", "--proxy", "--source-ip", "--scenario"),
}

func (httpPlugin) ValidateArgs(args []string) error { return httpFlags.validate(args) }

func (httpPlugin) ExampleMessage(_ []string, it *Item) string {
	what := it.URL
	if it.Scenario != "" {
		what = "journey " + it.Name + ", step 1"
	}
	text := fmt.Sprintf("%s: status 503, expected %s", what, orDefault(it.Status, "200-399"))
	r := &check.Report{Tag: "HTTP", Findings: []check.Finding{{Status: check.CRITICAL, Text: text}}}
	return r.Message()
}

type processPlugin struct{}

func (processPlugin) Command() string { return "check-process" }

func (processPlugin) ValidateArgs(args []string) error {
	_, err := proccheck.ParseArgsFor(args)
	return err
}

// ExampleMessage is check-process's report when none of the item's
// processes runs.
func (processPlugin) ExampleMessage(args []string, _ *Item) string {
	o, err := proccheck.ParseArgsFor(args)
	if err != nil {
		// The binary's answer to such a command line: a catalog that
		// passes check never has one.
		r := &check.Report{Tag: proccheck.Command.Tag, Findings: []check.Finding{{Status: check.UNKNOWN, Text: err.Error()}}}
		return r.Message()
	}
	return o.Example().Message()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ValidateScenario loads a check-http-e2e scenario file as the plugin
// would. Until the plugin's loader can be linked without its HTTP client,
// only the YAML is read.
func ValidateScenario(path string, data []byte) error {
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("%s", strings.ReplaceAll(yaml.FormatError(err, false, false), "\n", " "))
	}
	if v == nil {
		return fmt.Errorf("%s is empty", path)
	}
	return nil
}
