// Package cli is the life of a check binary around its own logic: flags in,
// usage errors out as UNKNOWN (exit 3, never the WARNING that go-flags
// plugins usually exit with), --help, --version, the deadline, the drill
// file, a panic turned into UNKNOWN, the message printed and the exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jessevdk/go-flags"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/recovery"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/core/version"
)

// CommonOptions are the flags of every plugin, check or metric.
type CommonOptions struct {
	Timeout Duration `short:"t" long:"timeout" default:"10s" value-name:"DURATION" description:"deadline for the whole run (Go duration or seconds); running out is CRITICAL naming the phase"`
	Version bool     `long:"version" description:"print the version and exit"`
}

// Options gives the runner the common flags inside a metric plugin's
// options.
func (o *CommonOptions) Options() *CommonOptions { return o }

// metricTimeout is what -t means to a metric plugin.
const metricTimeout = "deadline for the whole run (Go duration or seconds); a target not done by then prints what it has (http_up 0, tls_valid 0)"

// Incident are the flags that help the people who answer an alert: a
// drill sets the status of a rehearsal, for a while.
type Incident struct {
	DrillFile   string   `long:"drill-file" value-name:"PATH" description:"when PATH exists, report the status its first word names (ok|warning|critical|unknown) with the rest of its first line, and the real verdict in brackets; never a status better than the real one"`
	DrillMaxAge Duration `long:"drill-max-age" default:"2h" value-name:"DURATION" description:"a drill file last modified longer ago no longer sets the status: the real verdict is reported, at least WARNING, naming the file"`
	// RecoveryState is written by mackerel-plugin-frontline-recover, the
	// agent action that restarts what this check watches.
	RecoveryState string `long:"recovery-state" value-name:"FILE" description:"end the message with what automatic recovery already tried, read from the state file its action writes, and how much of its budget is left"`
}

// CheckOptions are the flags every check has.
type CheckOptions struct {
	CommonOptions
	Incident
	Verbose bool `short:"v" long:"verbose" description:"list every target, with volatile detail (timings)"`
}

// FlagHelp is what a plugin's options implement to word a shared flag's
// help its own way: the text for each long name it rewords. The groups
// are declared once; what a flag means in one plugin (which targets
// --ca-file serves) is the plugin's to say.
type FlagHelp interface {
	FlagHelp() map[string]string
}

// Options gives the runner the common flags inside a check's options.
func (o *CheckOptions) Options() *CheckOptions { return o }

// Check is a check plugin: its flags (a go-flags struct embedding
// CheckOptions) and what it does with them.
type Check interface {
	Options() *CheckOptions
	// Prepare validates the parsed flags and the remaining arguments, and
	// reads the files they name. Any error it returns is a usage error: it
	// must say how to fix it. ctx carries the run's deadline and its
	// inflight tracker: a read that may block (a file on a hung mount) is
	// done inside an inflight item that names it.
	Prepare(ctx context.Context, args []string) error
	// Run probes and judges within ctx's deadline. ctx carries an
	// inflight.Tracker: work that may block records itself there, so that
	// a run the watchdog has to end for it says what it was doing.
	Run(ctx context.Context) *check.Report
}

// Plugin names a binary.
type Plugin struct {
	Name  string // check-tls-expiry
	Tag   string // TLS
	Usage string // the part of the usage line after the name
}

// RunCheck parses args into c, runs it and prints its message to stdout
// (a panic's stack goes to stderr). It returns the exit code: 0..3 and
// nothing else, whatever happens, by the process's deadline plus a second
// whatever c does (see supervise).
func RunCheck(p Plugin, c Check, args []string, stdout io.Writer) int {
	return supervise(stdout, stderr, checkRun{p: p, c: c, args: args})
}

type checkRun struct {
	p    Plugin
	c    Check
	args []string
}

func (r checkRun) usage(err error) result {
	return result{stdout: fmt.Sprintf("%s UNKNOWN: %s\n", r.p.Tag, oneLine(err.Error())), code: int(check.UNKNOWN)}
}

func (r checkRun) run(ctx context.Context, setTimeout func(time.Duration)) result {
	ctx, cancel, early := prepare(ctx, r.p, r.c, r.c.Prepare, r.args, setTimeout, r.usage)
	defer cancel()
	if early != nil {
		return *early
	}
	opts := r.c.Options()
	var drill *check.Drill
	if opts.DrillFile != "" {
		end := inflight.Begin(ctx, "reading --drill-file "+opts.DrillFile, check.UNKNOWN)
		drill = check.ReadDrill(opts.DrillFile, time.Duration(opts.DrillMaxAge))
		end()
	}
	report := r.c.Run(ctx)
	if report == nil {
		return r.bug("the check returned no report", nil)
	}
	report.Tag = r.p.Tag
	report.Verbose = opts.Verbose
	report.Drill = drill
	if opts.RecoveryState != "" {
		end := inflight.Begin(ctx, "reading --recovery-state "+opts.RecoveryState, check.UNKNOWN)
		report.Recovery = recovery.Clause(opts.RecoveryState, time.Now())
		end()
	}
	return result{stdout: report.Message() + "\n", code: int(report.Status())}
}

// preparing names the work of Prepare in the inflight tracker, for a
// Prepare that records nothing more precise of its own.
const preparing = "checking the command line and reading the files it names"

// prepare is the start every run shares: it parses the flags into opts,
// sets the deadline they give (from the process's start) and calls the
// plugin's Prepare under it. early is the whole result of a run that ends
// here: --help or --version, or a usage error made by usage.
func prepare(ctx context.Context, p Plugin, opts any, prep func(context.Context, []string) error, args []string,
	setTimeout func(time.Duration), usage func(error) result) (_ context.Context, cancel context.CancelFunc, early *result) {
	var help strings.Builder
	ctx, cancel, err := parsePrepare(ctx, p, opts, prep, args, &help, start, setTimeout)
	switch {
	case errors.Is(err, ErrDone):
		return ctx, cancel, &result{stdout: help.String()}
	case err != nil:
		r := usage(err)
		return ctx, cancel, &r
	}
	return ctx, cancel, nil
}

// Preparer is the part of a plugin's options that Prepare needs: a Check
// or a Metric.
type Preparer interface {
	Prepare(ctx context.Context, args []string) error
}

// Prepare does what a run does before it probes: it parses args into opts
// and calls opts.Prepare under the deadline of -t. A caller that links a
// plugin's options (a catalog that checks the command lines it writes)
// gets the usage error the binary would print after "TAG UNKNOWN: ",
// without running the check. --help and --version are written to w and
// return ErrDone.
func Prepare(ctx context.Context, p Plugin, opts Preparer, args []string, w io.Writer) error {
	_, cancel, err := parsePrepare(ctx, p, opts, opts.Prepare, args, w, time.Now(), func(time.Duration) {})
	cancel()
	return err
}

// parsePrepare returns ErrDone for --help and --version, a usage error, or
// nil and the context of the run, whose deadline is -t from the time from.
func parsePrepare(ctx context.Context, p Plugin, opts any, prep func(context.Context, []string) error, args []string,
	w io.Writer, from time.Time, setTimeout func(time.Duration)) (context.Context, context.CancelFunc, error) {
	rest, err := Parse(p, opts, args, w)
	if err != nil {
		return ctx, func() {}, err
	}
	timeout := time.Duration(common(opts).Timeout)
	setTimeout(timeout)
	ctx, cancel := context.WithDeadline(ctx, from.Add(timeout))
	end := inflight.Begin(ctx, preparing, check.UNKNOWN)
	err = prep(ctx, rest)
	end()
	if err != nil {
		return ctx, cancel, fmt.Errorf("%s; see %s --help", strings.TrimSpace(err.Error()), p.Name)
	}
	return ctx, cancel, nil
}

func (r checkRun) expired(findings []check.Finding) result {
	report := &check.Report{Tag: r.p.Tag, Findings: findings}
	return result{stdout: report.Message() + "\n", code: int(report.Status())}
}

func (r checkRun) panicked(p *goroutine.PanicError) result {
	return r.bug(fmt.Sprint(p.Value), p.Stack)
}

func (r checkRun) bug(what string, stack []byte) result {
	res := result{
		stdout: fmt.Sprintf("%s UNKNOWN: internal error: %s (this is a bug; please report it with the command line)\n", r.p.Tag, oneLine(what)),
		code:   int(check.UNKNOWN),
	}
	if stack != nil {
		res.stderr = fmt.Sprintf("panic: %s\n\n%s", what, stack)
	}
	return res
}

// stillOpen turns what was in progress when time ran out, or when the run
// was terminated, into findings: each with the status its item asked for.
func stillOpen(open []inflight.Item, terminated bool, timeout time.Duration) []check.Finding {
	now := time.Now()
	if len(open) == 0 {
		if terminated {
			return []check.Finding{{Status: check.CRITICAL, Text: fmt.Sprintf("still running when terminated after %s (the check was terminated)", textfmt.Seconds(now.Sub(start)))}}
		}
		return []check.Finding{{Status: check.CRITICAL, Text: fmt.Sprintf("still running after %s, past the %s deadline", textfmt.Seconds(now.Sub(start)), timeout)}}
	}
	if len(open) > 1 {
		// A Prepare that names what it reads says more than the item
		// that stands for Prepare as a whole.
		open = slices.DeleteFunc(open, func(it inflight.Item) bool { return it.What == preparing })
	}
	var fs []check.Finding
	for _, it := range open {
		text := fmt.Sprintf("%s: still in progress after %s, past the %s deadline", it.What, textfmt.Seconds(now.Sub(it.Started)), timeout)
		if terminated {
			text = fmt.Sprintf("%s: stopped after %s (the check was terminated)", it.What, textfmt.Seconds(now.Sub(it.Started)))
		}
		fs = append(fs, check.Finding{Status: it.Status, Text: text})
	}
	return fs
}

// ErrDone means Parse already printed what was asked (--help, --version)
// and the binary should exit 0.
var ErrDone = errors.New("done")

// common finds the common options inside a plugin's options.
func common(opts any) *CommonOptions {
	switch o := opts.(type) {
	case interface{ Options() *CheckOptions }:
		return &o.Options().CommonOptions
	case interface{ Options() *CommonOptions }:
		return o.Options()
	}
	return nil
}

// Parse fills opts from args. It prints --help and --version to w and
// returns ErrDone for them; other errors are usage errors in plain words.
func Parse(p Plugin, opts any, args []string, w io.Writer) ([]string, error) {
	parser := flags.NewNamedParser(p.Name, flags.HelpFlag|flags.PassDoubleDash)
	parser.Usage = p.Usage
	if _, err := parser.AddGroup("Options", "", opts); err != nil {
		panic(err) // a malformed struct tag: a programming error
	}
	if h, ok := opts.(FlagHelp); ok {
		for name, text := range h.FlagHelp() {
			o := parser.FindOptionByLongName(name)
			if o == nil {
				panic("FlagHelp names no flag --" + name) // a programming error
			}
			o.Description = text
		}
	}
	if _, isCheck := opts.(interface{ Options() *CheckOptions }); !isCheck {
		// A metric plugin has no status to make CRITICAL.
		parser.FindOptionByLongName("timeout").Description = metricTimeout
	}
	rest, err := parser.ParseArgs(args)
	if err != nil {
		var ferr *flags.Error
		if errors.As(err, &ferr) && ferr.Type == flags.ErrHelp {
			fmt.Fprintln(w, strings.TrimRight(ferr.Message, "\n"))
			return nil, ErrDone
		}
		return nil, explain(p, err)
	}
	if c := common(opts); c != nil && c.Version {
		fmt.Fprintln(w, version.String(p.Name))
		return nil, ErrDone
	}
	for _, name := range pathFlags {
		// --ca-file= (a variable that was not set) would otherwise be
		// the flag left out: no private CA, no drill, without a word.
		if o := parser.FindOptionByLongName(name); o != nil && o.IsSet() && o.Value() == "" {
			return nil, fmt.Errorf("--%s is empty: give a path, or leave the flag out", name)
		}
	}
	return rest, nil
}

// pathFlags are the flags whose empty value is refused rather than taken
// for the flag left out.
var pathFlags = []string{"ca-file", "drill-file", "recovery-state"}

// explain rewrites go-flags' errors into one line that says how to fix it.
func explain(p Plugin, err error) error {
	var ferr *flags.Error
	if !errors.As(err, &ferr) {
		return err
	}
	msg, names := unquote(ferr.Message)
	switch ferr.Type {
	case flags.ErrUnknownFlag:
		flag := msg
		if len(names) > 0 {
			flag = "--" + names[0]
			if len(names[0]) == 1 {
				flag = "-" + names[0]
			}
		}
		return fmt.Errorf("unknown flag %s; see %s --help for the flags", flag, p.Name)
	case flags.ErrExpectedArgument:
		if strings.HasPrefix(msg, "expected argument for flag ") && !strings.Contains(msg, "but got") {
			msg = strings.TrimPrefix(msg, "expected argument for flag ") + " needs a value"
		}
	case flags.ErrMarshal:
		// "invalid argument for flag -w, --warning (expected T): reason"
		if i := strings.Index(msg, " (expected "); i >= 0 {
			if j := strings.Index(msg[i:], "): "); j >= 0 {
				msg = msg[:i] + ": " + msg[i+j+3:]
			}
		}
		msg = strings.Replace(msg, "invalid argument for flag", "invalid value for", 1)
	}
	return fmt.Errorf("%s; see %s --help", msg, p.Name)
}

// unquote drops go-flags' `name' quoting and returns the names it quoted.
func unquote(s string) (string, []string) {
	var b strings.Builder
	var names []string
	for {
		open := strings.IndexByte(s, '`')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '\'')
		if end < 0 {
			break
		}
		name := s[open+1 : open+end]
		names = append(names, name)
		b.WriteString(s[:open])
		b.WriteString(name)
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String(), names
}

// oneLine makes an error one line of the message; it may quote what the
// user typed, so it is sanitised like a finding.
func oneLine(s string) string {
	return textfmt.Sanitize(strings.Join(strings.Fields(s), " "))
}
