package catalog

import (
	"fmt"
	"github.com/goccy/go-yaml"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	httpoptions "github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/options"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/proccheck"
	tlsoptions "github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry/options"
)

// Plugin is what frontline needs of a plugin without running it: its
// option parser, so that a catalog that passes `frontline check` never
// produces a usage error on a host, and its message renderer, so that
// the document shows the alert the plugin itself would send.
//
// This file is the one place that knows how each plugin's options and
// messages are reached: each plugin's own parser, in the form that reads
// no file of this host and links no probe (the options packages of
// check-tls-expiry and check-http-e2e, check-process's ParseArgsFor).
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

func (httpPlugin) ValidateArgs(args []string) error {
	_, err := httpoptions.ParseArgs(args)
	return err
}

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

// ValidateScenario reads a check-http-e2e scenario file as YAML. The
// plugin's loader is not linked: it builds each step as an httpprobe
// request (net/http) and compiles its jq: assertions with gojq, neither of
// which frontline links; the scenario's own errors are the binary's to
// report, on the host or in CI with check-http-e2e itself.
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
