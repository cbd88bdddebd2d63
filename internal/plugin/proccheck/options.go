package proccheck

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/procgroup"
)

// Command names the binary: its usage line, and the tag of its messages.
var Command = cli.Plugin{
	Name:  "check-process",
	Tag:   "PROCESS",
	Usage: "[OPTIONS]",
}

// Options are check-process's flags; Prepare turns them into a Config
// and Run checks it: a cli.Check.
type Options struct {
	cli.CheckOptions

	// Groups are callbacks so that they keep the order they were given
	// in: the order of --label and of the message.
	Pattern     func(string) `short:"p" long:"pattern" value-name:"RE" unquote:"false" description:"group: processes whose full command line matches RE (repeatable: one group each); never this check, its ancestors (the sh -c or timeout that runs it) or another run of it"`
	Name        func(string) `short:"n" long:"name" value-name:"NAME" description:"group: processes named NAME (comm, cut at 15 characters by the kernel; a longer NAME is compared with the base name of the executable or argv[0])"`
	Exe         func(string) `long:"exe" value-name:"PATH" description:"group: processes running the executable PATH, its links resolved on each run; where PATH goes through a link (a release folder's current), also processes started as PATH (argv[0]), which still count after the link moves to the next release"`
	PIDFile     func(string) `long:"pidfile" value-name:"PATH" description:"group: the process whose PID is in PATH; missing, unreadable, dead or stale (PID reused: the process started over 2 minutes after the file was written) is CRITICAL. A -p or -n right after it must match that process too, and then decides alone whether the PID was reused"`
	SystemdUnit func(string) `long:"systemd-unit" value-name:"UNIT" description:"group: processes in the cgroup of UNIT (or UNIT.service) in systemd's hierarchy (the unified one, or v1's name=systemd)"`
	Count       func(string) `long:"count" value-name:"RANGE" description:"count range of the group right before it, instead of -w/-c/-W/-C: N (exactly), N.. (at least), ..M (at most) or N..M; outside is CRITICAL. One nginx master and at least one worker: -p '^nginx: master' --count 1 -p '^nginx: worker' --count 1.."`
	Label       []string     `long:"label" value-name:"TEXT" unquote:"false" description:"name of a group in messages, one per group in order (default: the flag's value)"`

	User    string   `short:"u" long:"user" value-name:"NAME|UID" description:"only processes of this effective user"`
	Exclude []string `short:"x" long:"exclude-pattern" value-name:"RE" unquote:"false" description:"leave out processes whose command line matches RE (repeatable)"`
	PPID    string   `long:"ppid" value-name:"PID" description:"only children of PID"`
	State   string   `long:"state" value-name:"LETTERS" description:"only processes in these states (e.g. D, RS); zombies count only with Z"`

	WarningOver   threshold.Count `short:"w" long:"warning-over" value-name:"N" description:"WARNING when a group has more than N processes"`
	CriticalOver  threshold.Count `short:"c" long:"critical-over" value-name:"N" description:"CRITICAL when a group has more than N processes"`
	WarningUnder  threshold.Count `short:"W" long:"warning-under" value-name:"N" description:"WARNING when a group has fewer than N processes (1 unless given, as in Mackerel's check-procs: -C 0 alone makes none running a WARNING; -W 0 -C 0 allows none)"`
	CriticalUnder threshold.Count `short:"C" long:"critical-under" value-name:"N" description:"CRITICAL when a group has fewer than N processes (default: 1)"`

	RSSWarning      threshold.Size    `long:"rss-warning" value-name:"SIZE" description:"WARNING when a process's resident memory is over SIZE (512MiB, 2G)"`
	RSSCritical     threshold.Size    `long:"rss-critical" value-name:"SIZE" description:"CRITICAL when a process's resident memory is over SIZE"`
	CPUWarning      threshold.Percent `long:"cpu-warning" value-name:"PCT" description:"WARNING when a process uses more than PCT% of a CPU over --cpu-sample"`
	CPUCritical     threshold.Percent `long:"cpu-critical" value-name:"PCT" description:"CRITICAL when a process uses more than PCT% of a CPU over --cpu-sample"`
	CPUSample       cli.Duration      `long:"cpu-sample" default:"1s" value-name:"DURATION" description:"how long CPU use is measured, only when a CPU threshold is given; must fit in -t"`
	FDWarning       threshold.Percent `long:"fd-warning" value-name:"PCT" description:"WARNING when a process's open files are over PCT% of its own soft limit"`
	FDCritical      threshold.Percent `long:"fd-critical" value-name:"PCT" description:"CRITICAL when a process's open files are over PCT% of its own soft limit"`
	ThreadsWarning  threshold.Count   `long:"threads-warning" value-name:"N" description:"WARNING when a process has more than N threads"`
	ThreadsCritical threshold.Count   `long:"threads-critical" value-name:"N" description:"CRITICAL when a process has more than N threads"`
	MinAge          cli.Duration      `long:"min-age" value-name:"DURATION" description:"WARNING when the youngest process of a group started less than DURATION ago (a crash loop)"`
	Zombies         bool              `long:"zombies" description:"WARNING for any zombie (exited, not reaped) that matches a group, naming it and its parent"`

	raw    []rawGroup
	counts []string // each group's --count as given
	config Config
	// elsewhere parses a command line meant for another host: what only
	// that host can answer (does -u's user exist) is left to it.
	elsewhere bool
}

// countKind marks a --count among the groups: it belongs to the group
// before it.
const countKind procgroup.Kind = -1

type rawGroup struct {
	kind  procgroup.Kind
	value string
}

// NewOptions returns the options before any flag is parsed.
func NewOptions() *Options {
	o := &Options{}
	add := func(k procgroup.Kind) func(string) {
		return func(v string) { o.raw = append(o.raw, rawGroup{k, v}) }
	}
	o.Pattern = add(procgroup.Pattern)
	o.Name = add(procgroup.Name)
	o.Exe = add(procgroup.Exe)
	o.PIDFile = add(procgroup.PIDFile)
	o.SystemdUnit = add(procgroup.Unit)
	o.Count = add(countKind)
	return o
}

// newSelector is procgroup.NewSelector with the flag that gave the value
// in front of its errors, and how to write it after.
func newSelector(k procgroup.Kind, value string) (*procgroup.Selector, error) {
	sel, err := procgroup.NewSelector(k, value)
	if err != nil {
		return nil, fmt.Errorf("%s %w%s", k.Flag(), err, selectorHints[k])
	}
	return sel, nil
}

// selectorHints say how to write a value of each kind of group, in this
// plugin's flags.
var selectorHints = map[procgroup.Kind]string{
	procgroup.Name: " (use --exe for a path)",
	procgroup.Unit: ": write nginx or nginx.service",
}

// Prepare reads the groups and filters the flags give; an error is a
// usage error that says how to fix it.
func (o *Options) Prepare(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: name processes with -p, -n, --exe, --pidfile or --systemd-unit", args[0])
	}
	filter := &procgroup.Filter{UID: -1}
	if o.PPID != "" {
		n, err := strconv.Atoi(o.PPID)
		if err != nil || n <= 0 {
			return fmt.Errorf("--ppid %s is not a PID: write the parent's process ID, such as 1", o.PPID)
		}
		filter.PPID = n
	}
	if o.User != "" && !o.elsewhere {
		uid, err := procgroup.LookupUser(o.User)
		if err != nil {
			return fmt.Errorf("-u %w", err)
		}
		filter.UID = uid
	}
	for _, x := range o.Exclude {
		re, err := procgroup.ParseExclude(x)
		if err != nil {
			return fmt.Errorf("-x %w", err)
		}
		filter.Exclude = append(filter.Exclude, re)
	}
	states, err := procgroup.ParseStates(o.State)
	if err != nil {
		return fmt.Errorf("--state %w", err)
	}
	filter.States = states

	c := &o.config
	for i := 0; i < len(o.raw); i++ {
		r := o.raw[i]
		if r.kind == countKind {
			if len(c.Groups) == 0 {
				return fmt.Errorf("--count %s comes before any group: write it right after the group it judges (-n nginx --count 1)", r.value)
			}
			last := len(c.Groups) - 1
			if c.Counts[last] != nil {
				return fmt.Errorf("--count %s: group %s already has --count %s", r.value, c.Groups[last].Label, o.counts[last])
			}
			rng, err := threshold.ParseRange(r.value)
			if err != nil {
				return fmt.Errorf("--count %v", err)
			}
			c.Counts[last], o.counts[last] = &rng, r.value
			continue
		}
		sel, err := newSelector(r.kind, r.value)
		if err != nil {
			return err
		}
		if r.kind == procgroup.PIDFile && i+1 < len(o.raw) && (o.raw[i+1].kind == procgroup.Pattern || o.raw[i+1].kind == procgroup.Name) {
			q, err := newSelector(o.raw[i+1].kind, o.raw[i+1].value)
			if err != nil {
				return err
			}
			sel.Qualify(q)
			i++
		}
		c.Groups = append(c.Groups, &procgroup.Group{Label: r.value, Select: sel, Filter: filter})
		c.Counts = append(c.Counts, nil)
		o.counts = append(o.counts, "")
	}
	if len(o.Label) > len(c.Groups) {
		hint := ""
		for _, r := range o.raw {
			if r.kind == procgroup.PIDFile {
				hint = " (a -p or -n right after --pidfile is part of its group)"
			}
		}
		return fmt.Errorf("%d --label for %d %s: give one --label per group, in the order of the groups%s", len(o.Label), len(c.Groups), textfmt.Plural(len(c.Groups), "group"), hint)
	}
	for i, l := range o.Label {
		if l == "" {
			return fmt.Errorf("--label %d is empty", i+1)
		}
		c.Groups[i].Label = l
	}

	c.Count = threshold.Range{WarnMax: o.WarningOver, CritMax: o.CriticalOver, WarnMin: o.WarningUnder, CritMin: o.CriticalUnder}
	if !o.CriticalUnder.Set {
		c.Count.CritMin = threshold.Count{N: 1, Set: true, Default: true}
	}
	if !o.WarningUnder.Set && c.Count.CritMin.N < 1 {
		// check-procs' -W is 1 unless given: its users write -C 0 to
		// make none running a WARNING instead of CRITICAL, not OK.
		c.Count.WarnMin = threshold.Count{N: 1, Set: true, Default: true}
	}
	c.RSSWarning, c.RSSCritical = o.RSSWarning, o.RSSCritical
	c.CPUWarning, c.CPUCritical = o.CPUWarning, o.CPUCritical
	c.CPUSample = time.Duration(o.CPUSample)
	c.FDWarning, c.FDCritical = o.FDWarning, o.FDCritical
	c.ThreadsWarning, c.ThreadsCritical = o.ThreadsWarning, o.ThreadsCritical
	c.MinAge = time.Duration(o.MinAge)
	c.Zombies = o.Zombies
	c.Verbose = o.Verbose
	c.Timeout = time.Duration(o.Timeout)
	if c.WantsCPU() {
		// The sample, and two scans around it, must end before the
		// deadline with room to report.
		if d, ok := ctx.Deadline(); ok && time.Until(d) < c.CPUSample+time.Second {
			return fmt.Errorf("--cpu-sample %s does not fit in the -t %s deadline with a second to spare: shorten the sample or lengthen -t", c.CPUSample, time.Duration(o.Timeout))
		}
	}
	return c.Validate()
}

// Run checks what Prepare read.
func (o *Options) Run(ctx context.Context) *check.Report {
	return Check(ctx, &o.config)
}

// ParseArgs validates a command line of check-process as the binary does,
// scanning no process: the error is what the binary prints after
// "PROCESS UNKNOWN: ", or cli.ErrDone for --help and --version.
func ParseArgs(args []string) (*Options, error) {
	o := NewOptions()
	return o, cli.Prepare(context.Background(), Command, o, args, io.Discard)
}

// ParseArgsFor validates a command line of check-process meant for
// another host, as ParseArgs does but for what only that host can answer:
// whether the user of -u exists there. It is how a catalog's arguments
// are checked before they reach a host.
func ParseArgsFor(args []string) (*Options, error) {
	o := NewOptions()
	o.elsewhere = true
	return o, cli.Prepare(context.Background(), Command, o, args, io.Discard)
}

// Example is the report a run of these options sends when none of the
// groups' processes runs, in the check's own words: what a monitoring
// document shows as the item's alert. It reads nothing of this host.
func (o *Options) Example() *check.Report {
	r := judgeGroups(&o.config, nil, true, func(int) judge { return judge{} })
	r.Tag = Command.Tag
	return r
}
