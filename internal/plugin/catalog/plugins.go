package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	expiryphrase "github.com/frontline-sre/mackerel-frontline/internal/judge/expiry/phrase"
	httpphrase "github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/phrase"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/spec"
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

// ExampleMessage is check-tls-expiry's report on the item's first target
// when its leaf has three and a half days left, worded by the plugin's
// own judgement of dates (expiry/phrase). The certificate and the day it
// is judged are made up, and fixed, so the document does not change from
// one generation to the next.
func (tlsPlugin) ExampleMessage(args []string, it *Item) string {
	o, err := tlsoptions.ParseArgs(args)
	var s tlsoptions.Settings
	if err == nil {
		s, err = o.Settings(nil)
	}
	if err == nil && len(s.Targets) == 0 {
		err = fmt.Errorf("no target")
	}
	if err != nil {
		return unknown(tlsoptions.Command.Tag, err)
	}
	t := s.Targets[0]
	label, name := t.Path, it.Name
	if !t.IsFile() {
		label, name = t.Label(), t.Host
	}
	notAfter := exampleNow.Add(84 * time.Hour)
	status, text := expiryphrase.Dates("leaf CN="+name+" (issuer CN=Example CA)", notAfter.AddDate(0, 0, -90), notAfter, exampleNow, s.Warning, s.Critical)
	r := &check.Report{Tag: tlsoptions.Command.Tag, Findings: []check.Finding{{Status: status, Text: label + " " + text}}}
	return r.Message()
}

// exampleNow is when the document's example alerts are judged.
var exampleNow = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// unknown is a plugin's answer to a command line it cannot run: a
// catalog that passes check never has one.
func unknown(tag string, err error) string {
	r := &check.Report{Tag: tag, Findings: []check.Finding{{Status: check.UNKNOWN, Text: err.Error()}}}
	return r.Message()
}

type httpPlugin struct{}

func (httpPlugin) Command() string { return "check-http-e2e" }

func (httpPlugin) ValidateArgs(args []string) error {
	_, err := httpoptions.ParseArgs(args)
	return err
}

// ExampleMessage is check-http-e2e's report when the item's request is
// answered 503 with an empty page, worded by the plugin's own phrases
// (httpexpect/phrase); the timings are made up, and fixed.
func (httpPlugin) ExampleMessage(args []string, it *Item) string {
	o, err := httpoptions.ParseArgs(args)
	var status spec.Status
	if err == nil {
		status, _, _, err = o.Expected()
	}
	if err != nil {
		return unknown(httpoptions.Command.Tag, err)
	}
	text := httpphrase.Unexpected(httpphrase.StatusLine(503, "503 Service Unavailable"), status.Expected())
	if it.Scenario != "" {
		text = "journey " + it.Name + ", step 1: " + text
	} else {
		method := orDefault(o.Method, "GET")
		var tls time.Duration
		if strings.HasPrefix(o.URL, "https://") {
			tls = 12 * time.Millisecond
		}
		times := httpphrase.Timings(time.Millisecond, 2*time.Millisecond, tls, 40*time.Millisecond, 0, 60*time.Millisecond)
		text = httpphrase.Failure(text, httpphrase.One(method+" "+secret.RedactURL(o.URL), "503 Service Unavailable", times))
	}
	r := &check.Report{Tag: httpoptions.Command.Tag, Findings: []check.Finding{{Status: check.CRITICAL, Text: text}}}
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
		return unknown(proccheck.Command.Tag, err)
	}
	return o.Example().Message()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
