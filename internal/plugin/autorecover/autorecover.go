// Package autorecover is the agent action of a catalog item with
// recover:. mackerel-agent runs it after every run of the item's check,
// in the background, possibly while the previous one still runs; it
// decides from MACKEREL_STATUS, MACKEREL_PREVIOUS_STATUS and the state
// file whether the item's recovery command may run now, runs it under
// its own deadline, and records the attempt for the check to report.
//
// The rules, each one a reason a person can leave it on: only CRITICAL,
// only after --attempts consecutive CRITICAL runs, never during a drill,
// at most --at-most runs per window, one run at a time per item.
package autorecover

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jessevdk/go-flags"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/recovery"
	"github.com/frontline-sre/mackerel-frontline/internal/core/version"
)

// Name is the binary's name: mkr plugin install installs only check-* and
// mackerel-plugin-* executables, so the host side carries one of those.
const Name = "mackerel-plugin-frontline-recover"

// Options are the action's flags.
type Options struct {
	Run         string       `long:"run" value-name:"COMMAND" description:"the recovery command, run with sh -c in a process group of its own (${env:NAME} and ${file:PATH} are expanded and masked)"`
	AtMost      string       `long:"at-most" value-name:"N/WINDOW" description:"at most N runs per window (3/h, 1/30m, 5/d); once spent, nothing runs and the check says so"`
	Attempts    int          `long:"attempts" default:"1" value-name:"N" description:"run only after N consecutive CRITICAL runs of the check: its max_check_attempts"`
	State       string       `long:"state" value-name:"FILE" description:"the state file: attempts recorded for the check's --recovery-state; FILE.lock and FILE.run are its locks"`
	DrillFile   string       `long:"drill-file" value-name:"PATH" description:"the check's drill file: while it sets the status, nothing runs"`
	DrillMaxAge cli.Duration `long:"drill-max-age" default:"2h" value-name:"DURATION" description:"the check's --drill-max-age: an older drill file no longer sets the status"`
	Timeout     cli.Duration `short:"t" long:"timeout" default:"30s" value-name:"DURATION" description:"deadline of the recovery command; then its whole process group is killed"`
	Version     bool         `long:"version" description:"print the version and exit"`
}

// Env is what the agent tells the action about the run that just ended.
type Env struct {
	Status, Previous, Message string
}

// EnvFromOS reads what the agent set for the action.
func EnvFromOS() Env {
	return Env{
		Status:   os.Getenv("MACKEREL_STATUS"),
		Previous: os.Getenv("MACKEREL_PREVIOUS_STATUS"),
		Message:  os.Getenv("MACKEREL_CHECK_MESSAGE"),
	}
}

// errDone ends a run that printed --help or --version.
var errDone = errors.New("done")

// Parse reads the action's arguments; its errors say how to fix them.
func Parse(args []string, stdout io.Writer) (*Options, error) {
	o := &Options{}
	p := flags.NewNamedParser(Name, flags.HelpFlag|flags.PassDoubleDash)
	p.Usage = "--run COMMAND --at-most N/WINDOW --state FILE [OPTIONS]"
	if _, err := p.AddGroup("Options", "", o); err != nil {
		panic(err)
	}
	rest, err := p.ParseArgs(args)
	var ferr *flags.Error
	switch {
	case errors.As(err, &ferr) && ferr.Type == flags.ErrHelp:
		fmt.Fprintln(stdout, strings.TrimRight(ferr.Message, "\n"))
		return nil, errDone
	case err != nil:
		return nil, fmt.Errorf("%s; see %s --help", strings.ReplaceAll(err.Error(), "`", ""), Name)
	case o.Version:
		fmt.Fprintln(stdout, version.String(Name))
		return nil, errDone
	case len(rest) > 0:
		return nil, fmt.Errorf("unexpected argument %q: the command goes in --run; see %s --help", rest[0], Name)
	case strings.TrimSpace(o.Run) == "":
		return nil, fmt.Errorf("--run is missing: give the command that heals the item; see %s --help", Name)
	case o.State == "":
		return nil, fmt.Errorf("--state is missing: give the file the item's check reads with --recovery-state; see %s --help", Name)
	case o.Attempts < 1:
		return nil, fmt.Errorf("--attempts %d: give 1 or more, the check's max_check_attempts", o.Attempts)
	case o.Timeout <= 0:
		return nil, fmt.Errorf("--timeout must be positive; see %s --help", Name)
	}
	if _, err := recovery.ParseBudget(o.AtMost); err != nil {
		return nil, fmt.Errorf("--at-most: %v", err)
	}
	return o, nil
}

// Main runs the action: it returns the exit code. What it decides and
// what the command prints go to stderr, which the agent logs.
func Main(args []string, env Env, stdout, stderr io.Writer) int {
	o, err := Parse(args, stdout)
	if errors.Is(err, errDone) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		return 3
	}
	if err := o.act(env, stderr, time.Now); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		return 1
	}
	return 0
}

// onDrill reports whether the run that just ended was a rehearsal: the
// item's drill file sets the status, or the message says [DRILL].
func (o *Options) onDrill(env Env) bool {
	first, _, _ := strings.Cut(env.Message, "\n")
	if strings.Contains(first, "[DRILL]") {
		return true
	}
	d := check.ReadDrill(o.DrillFile, time.Duration(o.DrillMaxAge))
	return d != nil && !d.Stale
}

// decide updates the run of CRITICAL reports in s and says why nothing
// runs, or "" when the command may run.
func (o *Options) decide(s *recovery.State, env Env, now time.Time) string {
	drill := o.onDrill(env)
	switch {
	case env.Status != "CRITICAL" || drill:
		s.Critical = 0
	case env.Previous == "CRITICAL":
		s.Critical++
	default:
		s.Critical = 1
	}
	b, _ := recovery.ParseBudget(o.AtMost)
	switch {
	case env.Status != "CRITICAL":
		return fmt.Sprintf("status %q, not CRITICAL: nothing to recover", env.Status)
	case drill:
		return "the check is in a drill: recovery never runs on a rehearsal"
	case s.Critical < o.Attempts:
		return fmt.Sprintf("CRITICAL %d of %d consecutive runs: waiting before recovery", s.Critical, o.Attempts)
	}
	if in := s.InWindow(b, now); len(in) >= b.N {
		return fmt.Sprintf("budget spent: %d of %d %s, not running '%s'", len(in), b.N, b.Phrase(), o.Run)
	}
	return ""
}
