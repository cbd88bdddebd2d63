package catalog

import (
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	expiryphrase "github.com/frontline-sre/mackerel-frontline/internal/judge/expiry/phrase"
	httpphrase "github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/phrase"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/spec"
	httpoptions "github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/options"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/scenariofile"
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
	// Tag opens the plugin's messages ("HTTP", "TLS").
	Tag() string
	// Parse reads the arguments a generated check runs the plugin with,
	// as the plugin does, and returns the plugin's own usage error, if
	// any.
	Parse(args []string) (Parsed, error)
}

// Parsed is an item's command line as its plugin read it.
type Parsed interface {
	// ExampleMessage is the alert the item's check sends when it fails.
	ExampleMessage(it *Item) string
}

// ExampleMessage is the alert the item's check sends when it fails, as
// its plugin words it.
func (c *Catalog) ExampleMessage(it *Item) string {
	p := c.parsed(it)
	if p.err != nil {
		return unknown(PluginOf(it.Kind).Tag(), p.err)
	}
	return p.Parsed.ExampleMessage(it)
}

// parsedArgs is an item's command line for a host of no values of its
// own (Host{}) as its plugin read it, or the plugin's usage error.
type parsedArgs struct {
	Parsed
	err error
}

// parsedItems holds every item's parsedArgs. Reading a command line is
// most of what checking and documenting a catalog costs (go-flags reads
// the options' struct tags anew for each parser), so check, doc and
// incident share one reading of each item, taken on every core.
type parsedItems struct {
	once   sync.Once
	byItem map[*Item]parsedArgs
}

// parsed is it's parsedArgs: from the shared reading of the catalog's
// items, or, for an item added since, read now.
func (c *Catalog) parsed(it *Item) parsedArgs {
	c.args.once.Do(func() { c.args.byItem = c.parseAll() })
	if p, ok := c.args.byItem[it]; ok {
		return p
	}
	return c.parse(it)
}

func (c *Catalog) parse(it *Item) parsedArgs {
	p, err := PluginOf(it.Kind).Parse(c.Args(it, c.Host(Host{})))
	return parsedArgs{p, err}
}

// parseAll reads every item's command line, as many at once as there
// are cores, and returns when all are read.
func (c *Catalog) parseAll() map[*Item]parsedArgs {
	var items []*Item
	for _, s := range c.Services {
		items = append(items, s.Items...)
	}
	results := make([]parsedArgs, len(items))
	workers := min(runtime.GOMAXPROCS(0), len(items))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(items); i += workers {
				results[i] = c.parse(items[i])
			}
		})
	}
	wg.Wait()
	byItem := make(map[*Item]parsedArgs, len(items))
	for i, it := range items {
		byItem[it] = results[i]
	}
	return byItem
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

func (tlsPlugin) Tag() string { return tlsoptions.Command.Tag }

func (tlsPlugin) Parse(args []string) (Parsed, error) {
	o, err := tlsoptions.ParseArgs(args)
	return tlsParsed{o}, err
}

type tlsParsed struct{ *tlsoptions.Flags }

// ExampleMessage is check-tls-expiry's report on the item's first target
// when its leaf has three and a half days left, worded by the plugin's
// own judgement of dates (expiry/phrase). The certificate and the day it
// is judged are made up, and fixed, so the document does not change from
// one generation to the next.
func (o tlsParsed) ExampleMessage(it *Item) string {
	s, err := o.Settings(nil)
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

func (httpPlugin) Tag() string { return httpoptions.Command.Tag }

func (httpPlugin) Parse(args []string) (Parsed, error) {
	o, err := httpoptions.ParseArgs(args)
	return httpParsed{o}, err
}

type httpParsed struct{ *httpoptions.Flags }

// ExampleMessage is check-http-e2e's report when the item's request, or
// the first step of its journey, is answered 503 with an empty page (or
// the first of 500 and 404 its status spec does not take as OK), worded
// by the plugin's own phrases (httpexpect/phrase); the timings are made
// up, and fixed.
func (o httpParsed) ExampleMessage(it *Item) string {
	if it.Scenario != "" {
		return journeyExample(o.Scenario, it)
	}
	status, _, _, err := o.Expected()
	if err != nil {
		return unknown(httpoptions.Command.Tag, err)
	}
	state, text := statusExample(status)
	method := orDefault(o.Method, "GET")
	var tls time.Duration
	if strings.HasPrefix(o.URL, "https://") {
		tls = 12 * time.Millisecond
	}
	code, line := exampleCode(status)
	times := httpphrase.Timings(time.Millisecond, 2*time.Millisecond, tls, 40*time.Millisecond, 0, exampleTotal)
	text = httpphrase.Failure(text, httpphrase.One(method+" "+secret.RedactURL(o.URL), httpphrase.StatusLine(code, line), times))
	r := &check.Report{Tag: httpoptions.Command.Tag, Findings: []check.Finding{{Status: state, Text: text}}}
	return r.Message()
}

// exampleTotal is the made-up time of an example response.
const exampleTotal = 60 * time.Millisecond

// exampleCodes are the statuses an example alert is answered with: the
// first one the item does not take as OK.
var exampleCodes = []struct {
	code int
	line string
}{{503, "503 Service Unavailable"}, {500, "500 Internal Server Error"}, {404, "404 Not Found"}}

func exampleCode(status spec.Status) (int, string) {
	for _, c := range exampleCodes {
		if status.Judge(c.code) != check.OK {
			return c.code, c.line
		}
	}
	return exampleCodes[0].code, exampleCodes[0].line
}

// statusExample is the finding check-http-e2e's judgement of status gives
// the example response: the mapping that decided, when one did
// ("503=warning"), else what was expected.
func statusExample(status spec.Status) (check.Status, string) {
	code, line := exampleCode(status)
	state, rule := status.Decide(code)
	if state == check.OK {
		state = check.CRITICAL
	}
	if rule != "" {
		return state, httpphrase.Mapped(httpphrase.StatusLine(code, line), rule)
	}
	return state, httpphrase.Unexpected(httpphrase.StatusLine(code, line), status.Expected())
}

// journeyExample is check-http-e2e's report when the first step of the
// item's journey is answered as statusExample says: the step named as the
// binary names it, the steps after it not run unless the step only
// warns. The scenario is read as on the host (path, as the item's check
// names it, names a journey without name:); its references stay as
// written.
func journeyExample(path string, it *Item) string {
	data, err := localfile.Read(scenarioPath(it), scenariofile.FileLimit)
	var s *scenariofile.Scenario
	if err == nil {
		s, err = scenariofile.Check(path, data)
	}
	if err != nil {
		return unknown(httpoptions.Command.Tag, err)
	}
	st := s.Steps[0]
	state, text := statusExample(st.Expect.Status)
	if st.Warning {
		state = check.WARNING
	}
	code, _ := exampleCode(st.Expect.Status)
	step := httpphrase.Step(s.Name, 1, len(s.Steps), st.Name)
	text = httpphrase.StepFailure(step, text, httpphrase.StepResult(st.Method+" "+secret.RedactURL(stepURL(s, st)), code, exampleTotal))
	if state != check.WARNING {
		text += httpphrase.NotRun(1, len(s.Steps))
	}
	r := &check.Report{Tag: httpoptions.Command.Tag, Findings: []check.Finding{{Status: state, Text: text}}}
	return r.Message()
}

// stepURL is where a step's request goes: its URL against the base_url,
// with the references the host resolves left as written.
func stepURL(s *scenariofile.Scenario, st *scenariofile.Step) string {
	if s.BaseURL == "" || strings.Contains(st.URL, "://") {
		return st.URL
	}
	if !strings.Contains(s.BaseURL+st.URL, "${") {
		if base, err := url.Parse(s.BaseURL); err == nil {
			if ref, err := url.Parse(st.URL); err == nil {
				return base.ResolveReference(ref).String()
			}
		}
	}
	return strings.TrimSuffix(s.BaseURL, "/") + "/" + strings.TrimPrefix(st.URL, "/")
}

type processPlugin struct{}

func (processPlugin) Command() string { return "check-process" }

func (processPlugin) Tag() string { return proccheck.Command.Tag }

func (processPlugin) Parse(args []string) (Parsed, error) {
	o, err := proccheck.ParseArgsFor(args)
	return processParsed{o}, err
}

type processParsed struct{ *proccheck.Options }

// ExampleMessage is check-process's report when none of the item's
// processes runs.
func (o processParsed) ExampleMessage(*Item) string {
	return o.Example().Message()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
