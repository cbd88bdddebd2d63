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
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jessevdk/go-flags"

	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/phase"
	"github.com/frontline-sre/mackerel-frontline/internal/version"
)

// CheckOptions are the flags every check has.
type CheckOptions struct {
	Timeout   Duration `short:"t" long:"timeout" default:"10s" value-name:"DURATION" description:"deadline for the whole run (Go duration or seconds); running out is CRITICAL naming the phase"`
	DrillFile string   `long:"drill-file" value-name:"PATH" description:"when PATH exists, report the status its first word names (ok|warning|critical|unknown) with the rest of its first line, and the real verdict in brackets"`
	Verbose   bool     `short:"v" long:"verbose" description:"list every target, with volatile detail (timings)"`
	Version   bool     `long:"version" description:"print the version and exit"`
}

// Options gives the runner the common flags inside a plugin's options.
func (o *CheckOptions) Options() *CheckOptions { return o }

// Check is a check plugin: its flags (a go-flags struct embedding
// CheckOptions) and what it does with them.
type Check interface {
	Options() *CheckOptions
	// Prepare validates the parsed flags and the remaining arguments. Any
	// error it returns is a usage error: it must say how to fix it.
	Prepare(args []string) error
	// Run probes and judges within ctx's deadline.
	Run(ctx context.Context) *check.Report
}

// Plugin names a binary.
type Plugin struct {
	Name  string // check-tls-expiry
	Tag   string // TLS
	Usage string // the part of the usage line after the name
}

// RunCheck parses args into c, runs it and prints its message to stdout.
// It returns the exit code: 0..3 and nothing else, whatever happens.
func RunCheck(p Plugin, c Check, args []string, stdout io.Writer) (code int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(stdout, "%s UNKNOWN: internal error: %v (this is a bug; please report it with the command line)\n", p.Tag, v)
			code = int(check.UNKNOWN)
		}
	}()
	usageError := func(err error) int {
		fmt.Fprintf(stdout, "%s UNKNOWN: %s\n", p.Tag, oneLine(err.Error()))
		return int(check.UNKNOWN)
	}

	rest, err := Parse(p, c, args, stdout)
	if errors.Is(err, ErrDone) {
		return 0
	}
	if err != nil {
		return usageError(err)
	}
	if err := c.Prepare(rest); err != nil {
		return usageError(fmt.Errorf("%s; see %s --help", strings.TrimSpace(err.Error()), p.Name))
	}
	opts := c.Options()

	terminated, terminate := context.WithCancelCause(context.Background())
	defer terminate(nil)
	ctx, cancel := context.WithTimeout(terminated, time.Duration(opts.Timeout))
	defer cancel()
	defer stopOnSignal(func() { terminate(phase.ErrTerminated) })()
	report := c.Run(ctx)
	report.Tag = p.Tag
	report.Verbose = opts.Verbose
	report.Drill = check.ReadDrill(opts.DrillFile, check.DefaultDrillMaxAge)
	fmt.Fprintln(stdout, report.Message())
	return int(report.Status())
}

// listenAfter is when a run starts to listen for SIGTERM. The agent sends
// it when the plugin's timeout_seconds (a whole number of seconds) runs
// out, and uses what the plugin prints within the next 10 s. Listening
// costs an OS thread and a few hundred KiB of memory on every run, so a
// run that ends before any agent could have sent it does without.
const listenAfter = 500 * time.Millisecond

// stopOnSignal cancels the run on SIGTERM or SIGINT once it has lasted
// listenAfter, so that it reports the phase in progress instead of dying
// without a word. The returned func stops listening.
func stopOnSignal(cancel func()) (stop func()) {
	done := make(chan struct{})
	timer := time.AfterFunc(listenAfter, func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		go func() {
			defer signal.Stop(sig)
			select {
			case <-sig:
				cancel()
			case <-done:
			}
		}()
	})
	return func() {
		timer.Stop()
		close(done)
	}
}

// ErrDone means Parse already printed what was asked (--help, --version)
// and the binary should exit 0.
var ErrDone = errors.New("done")

type versioned interface{ Options() *CheckOptions }

// Parse fills opts from args. It prints --help and --version to w and
// returns ErrDone for them; other errors are usage errors in plain words.
func Parse(p Plugin, opts any, args []string, w io.Writer) ([]string, error) {
	parser := flags.NewNamedParser(p.Name, flags.HelpFlag|flags.PassDoubleDash)
	parser.Usage = p.Usage
	if _, err := parser.AddGroup("Options", "", opts); err != nil {
		panic(err) // a malformed struct tag: a programming error
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
	if v, ok := opts.(versioned); ok && v.Options().Version {
		fmt.Fprintln(w, version.String(p.Name))
		return nil, ErrDone
	}
	return rest, nil
}

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

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
