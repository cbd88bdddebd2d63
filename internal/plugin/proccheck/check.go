// Package proccheck is check-process: it counts and judges the processes
// of each group in one scan of /proc.
package proccheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/procgroup"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/procscan"
)

// Config is one run's groups and thresholds.
type Config struct {
	Groups []*procgroup.Group
	// Count judges every group's count, but those with a range of their
	// own in Counts (by index; nil or short: none).
	Count  threshold.Range
	Counts []*threshold.Range

	RSSWarning, RSSCritical         threshold.Size // Bytes 0: not given
	CPUWarning, CPUCritical         threshold.Percent
	CPUSample                       time.Duration
	FDWarning, FDCritical           threshold.Percent
	ThreadsWarning, ThreadsCritical threshold.Count
	MinAge                          time.Duration // 0: not given
	// Timeout is the run's -t, for naming the deadline that cut a scan.
	Timeout time.Duration
	Zombies bool
	Verbose bool

	// Scanner reads /proc; the zero Scanner when nil.
	Scanner *procscan.Scanner
}

// WantsCPU reports whether a CPU threshold was given: only then is CPU
// sampled, which costs the sample's length.
func (c *Config) WantsCPU() bool { return c.CPUWarning.Set || c.CPUCritical.Set }

func (c *Config) wantsFDs() bool { return c.FDWarning.Set || c.FDCritical.Set }

// countNames are the count thresholds' flags.
var countNames = threshold.RangeNames{WarnMax: "-w", CritMax: "-c", WarnMin: "-W", CritMin: "-C", Default: " (the default, as in Mackerel's check-procs)"}

// Validate checks the thresholds against each other.
func (c *Config) Validate() error {
	if len(c.Groups) == 0 {
		return errors.New("no process group given: name one with -p RE, -n NAME, --exe PATH, --pidfile PATH or --systemd-unit UNIT")
	}
	if err := c.Count.Check(countNames); err != nil {
		return err
	}
	pairs := []struct {
		flag       string
		warn, crit float64
		wSet, cSet bool
	}{
		{"--rss", float64(c.RSSWarning.Bytes), float64(c.RSSCritical.Bytes), c.RSSWarning.Bytes > 0, c.RSSCritical.Bytes > 0},
		{"--cpu", c.CPUWarning.Value, c.CPUCritical.Value, c.CPUWarning.Set, c.CPUCritical.Set},
		{"--fd", c.FDWarning.Value, c.FDCritical.Value, c.FDWarning.Set, c.FDCritical.Set},
		{"--threads", float64(c.ThreadsWarning.N), float64(c.ThreadsCritical.N), c.ThreadsWarning.Set, c.ThreadsCritical.Set},
	}
	for _, p := range pairs {
		if p.wSet && p.cSet && p.warn > p.crit {
			return fmt.Errorf("%s-warning is above %s-critical: the warning must come first", p.flag, p.flag)
		}
	}
	if c.FDCritical.Value > 100 || c.FDWarning.Value > 100 {
		return errors.New("--fd-warning and --fd-critical are percentages of the soft limit on open files: 100 or less")
	}
	var extra procscan.Fields
	if c.wantsFDs() {
		extra |= procscan.FDs | procscan.Limits
	}
	// A -p group decides on command lines alone; what is judged of its
	// members, and their zombies, needs their stat.
	if c.RSSWarning.Bytes > 0 || c.RSSCritical.Bytes > 0 || c.WantsCPU() || c.ThreadsWarning.Set || c.ThreadsCritical.Set || c.MinAge > 0 {
		extra |= procscan.Stat
	}
	for _, g := range c.Groups {
		g.Extra |= extra
	}
	return nil
}

// Check scans and judges every group.
func Check(ctx context.Context, c *Config) *check.Report {
	r := &check.Report{Noun: "group"}
	if runtime.GOOS != "linux" {
		r.Findings = []check.Finding{{Status: check.UNKNOWN, Text: "unsupported on " + runtime.GOOS + ": check-process reads /proc, which only Linux has"}}
		return r
	}
	for _, g := range c.Groups {
		if g.Select.Kind == procgroup.PIDFile {
			end := inflight.Begin(ctx, "reading --pidfile "+g.Select.Value, check.CRITICAL)
			g.ReadPIDFile()
			end()
		}
	}
	scanner := c.Scanner
	if scanner == nil {
		scanner = &procscan.Scanner{}
	}
	scanCtx, cancel := procscan.WithMargin(ctx)
	defer cancel()

	var base *procscan.Snapshot
	var sampled time.Duration
	if c.WantsCPU() {
		end := inflight.Begin(ctx, "sampling CPU over "+c.CPUSample.String(), check.CRITICAL)
		var err error
		base, err = scanner.Scan(scanCtx, nil)
		if err != nil {
			end()
			return failed(r, err)
		}
		began := time.Now()
		t := time.NewTimer(c.CPUSample)
		select {
		case <-t.C:
		case <-scanCtx.Done():
		}
		t.Stop()
		end()
		if scanCtx.Err() != nil {
			what := fmt.Sprintf("sampling CPU over %s: still in progress after %s, past the deadline", c.CPUSample, textfmt.Seconds(time.Since(began)))
			if errors.Is(context.Cause(ctx), inflight.ErrTerminated) {
				what = fmt.Sprintf("sampling CPU over %s: stopped after %s (the check was terminated)", c.CPUSample, textfmt.Seconds(time.Since(began)))
			}
			r.Findings = []check.Finding{{Status: check.CRITICAL, Text: what}}
			return r
		}
	}
	// Cut short, the scan took no count: UNKNOWN, not a dead service.
	end := inflight.Begin(ctx, "scanning /proc", check.UNKNOWN)
	set := procgroup.NewSet(c.Groups...)
	snap, err := scanner.Scan(scanCtx, set.Need)
	end()
	if err != nil {
		return failed(r, err)
	}
	if base != nil {
		sampled = snap.At.Sub(base.At)
	}

	var cut []int
	for _, p := range snap.Processes {
		if p.LineCut {
			cut = append(cut, p.PID)
		}
	}
	members := set.Members(snap)
	return judgeGroups(c, r, false, func(i int) judge {
		return judge{m: members[i], base: base, sampled: sampled, now: snap.At, cut: cut}
	})
}

// judgeGroups adds each group's findings to r (a new report when nil)
// and its OK verdict: the judge of group i is made by with. An example
// run judges groups of which no process was found, on no host.
func judgeGroups(c *Config, r *check.Report, example bool, with func(i int) judge) *check.Report {
	if r == nil {
		r = &check.Report{Noun: "group"}
	}
	var okParts []string
	for i, g := range c.Groups {
		j := with(i)
		j.c, j.g, j.count, j.example = c, g, c.Count, example
		if i < len(c.Counts) && c.Counts[i] != nil {
			j.count = *c.Counts[i]
		}
		r.Findings = append(r.Findings, j.findings()...)
		okParts = append(okParts, fmt.Sprintf("%s %d %s", g.Label, len(j.m.Live), processes(len(j.m.Live))))
	}
	r.OKVerdict = okVerdict(okParts)
	return r
}

// okMaxRunes bounds the OK verdict: the first line may take half the
// message, and the rest is counted rather than cut mid-word.
const okMaxRunes = 400

func okVerdict(parts []string) string {
	head := fmt.Sprintf("%d %s: ", len(parts), textfmt.Plural(len(parts), "group"))
	used := utf8.RuneCountInString(head)
	var kept []string
	for i, part := range parts {
		tail := ""
		if i < len(parts)-1 {
			tail = fmt.Sprintf(", and %d more groups", len(parts)-i-1)
		}
		if used+utf8.RuneCountInString(part)+2+len(tail) > okMaxRunes && i > 0 {
			return head + strings.Join(kept, ", ") + fmt.Sprintf(", and %d more %s", len(parts)-i, textfmt.Plural(len(parts)-i, "group"))
		}
		kept = append(kept, part)
		used += utf8.RuneCountInString(part) + 2
	}
	return head + strings.Join(kept, ", ")
}

func failed(r *check.Report, err error) *check.Report {
	r.Findings = []check.Finding{{Status: check.UNKNOWN, Text: err.Error()}}
	return r
}

// judge makes one group's findings.
type judge struct {
	c       *Config
	g       *procgroup.Group
	m       procgroup.Members
	base    *procscan.Snapshot
	sampled time.Duration
	now     time.Time
	count   threshold.Range // the group's own, or Config.Count
	cut     []int           // PIDs whose command line is over procscan.MaxCommandLine
	out     []check.Finding
	// example judges a group on no host: whether systemd runs here says
	// nothing of the host the example is for.
	example bool
}

func (j *judge) add(s check.Status, format string, args ...any) {
	j.out = append(j.out, check.Finding{Status: s, Text: j.name() + ": " + fmt.Sprintf(format, args...)})
}

func (j *judge) name() string { return j.g.Label + " (" + j.g.Select.String() + ")" }

func status(l threshold.Level) check.Status {
	return [...]check.Status{check.OK, check.WARNING, check.CRITICAL}[l]
}

func (j *judge) findings() []check.Finding {
	m := j.m
	n := len(m.Live)
	if m.PIDFile != nil && m.PIDFile.Problem != "" {
		j.add(check.CRITICAL, "%s", m.PIDFile.Problem)
	} else if j.g.Select.Kind == procgroup.Unit && n == 0 && len(m.Zombies) == 0 && !j.example && !procgroup.SystemdRunning() {
		// No unit is ever found here: not a stopped service, a check
		// that watches nothing.
		j.add(check.UNKNOWN, "systemd is not running on this host (no %s): name the processes with -p, -n or --exe", procgroup.SystemdDir)
	} else if len(m.Unread) > 0 {
		j.partialCount()
	} else if level, expected := j.count.Judge(n); level != threshold.Fine {
		j.add(status(level), "%d %s, expected %s%s", n, processes(n), strings.TrimPrefix(expected, "expected "), j.unreadable())
	}
	if pf := m.PIDFile; pf != nil && pf.Problem == "" && pf.Thread != 0 && n > 0 {
		j.add(check.WARNING, "pid file %s holds %d, a thread of pid %d (%s), not a process ID: the service writes its thread ID (gettid) where its process ID (getpid) belongs",
			pf.Path, pf.Thread, pf.PID, textfmt.Sanitize(m.Live[0].Comm))
	}
	j.resources()
	if j.c.MinAge > 0 && n > 0 {
		youngest := slices.MaxFunc(m.Live, func(a, b *procscan.Process) int { return a.Start.Compare(b.Start) })
		if age := j.now.Sub(youngest.Start); age < j.c.MinAge {
			j.add(check.WARNING, "restarted %s ago (pid %d), --min-age %s", textfmt.Age(age), youngest.PID, textfmt.Age(j.c.MinAge))
		}
	}
	if j.c.Zombies && len(m.Zombies) > 0 {
		var zs []string
		// A parent that reaps nothing leaves hundreds: a few name it.
		const shown = 5
		for i, z := range m.Zombies {
			if i == shown {
				zs = append(zs, fmt.Sprintf("and %d more", len(m.Zombies)-shown))
				break
			}
			zs = append(zs, fmt.Sprintf("pid %d (parent %d)", z.PID, z.PPID))
		}
		j.add(check.WARNING, "%d %s: %s", len(m.Zombies), textfmt.Plural(len(m.Zombies), "zombie"), strings.Join(zs, ", "))
	}
	if len(j.out) == 0 {
		text := fmt.Sprintf("%s %d %s", j.g.Label, n, processes(n))
		if j.c.Verbose && n > 0 {
			var pids []string
			for _, p := range m.Live {
				pids = append(pids, strconv.Itoa(p.PID))
			}
			text += " (" + j.g.Select.String() + "; pids " + strings.Join(pids, ", ") + ")"
		}
		j.out = append(j.out, check.Finding{Status: check.OK, Text: text})
	}
	if j.c.Verbose && len(j.cut) > 0 && (j.g.Select.Kind == procgroup.Pattern || j.g.Filter != nil && len(j.g.Filter.Exclude) > 0) {
		// A pattern that only the rest of such a line would match is
		// not found: -v says where the count may be short.
		var pids []string
		for i, pid := range j.cut {
			if i == 3 {
				pids = append(pids, fmt.Sprintf("and %d more", len(j.cut)-i))
				break
			}
			pids = append(pids, strconv.Itoa(pid))
		}
		what := "the command line of pid " + pids[0] + " is over 1 MiB: -p and -x match its"
		if len(j.cut) > 1 {
			what = "the command lines of pids " + strings.Join(pids, ", ") + " are over 1 MiB: -p and -x match their"
		}
		j.add(check.OK, "%s first 1 MiB only", what)
	}
	return j.out
}

// partialCount judges a group whose scan the deadline cut before every
// process that might belong was read. The members found are only a lower
// bound: too many is still known, but too few, or a count within range,
// is not, and a count that was not taken is never stated, so no CRITICAL
// for a missing service rests on it.
func (j *judge) partialCount() {
	n := len(j.m.Live)
	over := threshold.Range{WarnMax: j.count.WarnMax, CritMax: j.count.CritMax}
	if level, expected := over.Judge(n); level != threshold.Fine {
		j.add(status(level), "at least %d %s, expected %s (%s)", n, processes(n), strings.TrimPrefix(expected, "expected "), j.unreadList())
		return
	}
	deadline := "the deadline"
	if j.c.Timeout > 0 {
		deadline = "the -t " + j.c.Timeout.String() + " deadline"
	}
	found := ""
	if n > 0 {
		found = fmt.Sprintf("; %d %s found so far", n, processes(n))
	}
	j.add(check.UNKNOWN, "count not taken: the scan of /proc ran out of %s with %s (%s)%s", deadline, j.unreadCount(), j.unreadList(), found)
}

func (j *judge) unreadCount() string {
	u := len(j.m.Unread)
	return fmt.Sprintf("%d %s left unread", u, processes(u))
}

// unreadList names the first few processes the scan gave up on.
func (j *judge) unreadList() string {
	var names []string
	for i, u := range j.m.Unread {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(j.m.Unread)-i))
			break
		}
		names = append(names, u.String())
	}
	return strings.Join(names, "; ")
}

// unreadable explains a count that processes the check could not read
// might have changed.
func (j *judge) unreadable() string {
	if len(j.m.Unreadable) == 0 {
		return ""
	}
	p := j.m.Unreadable[0]
	more := ""
	if len(j.m.Unreadable) > 1 {
		more = fmt.Sprintf(" and %d more", len(j.m.Unreadable)-1)
	}
	hint := ""
	// Root is refused too in a container without CAP_SYS_PTRACE.
	if errors.Is(p.Err, fs.ErrPermission) && os.Geteuid() != 0 {
		hint = "; run as root to see every process"
	}
	return fmt.Sprintf(" (could not read pid %d%s: %v%s)", p.PID, more, p.Err, hint)
}

// breach is one process over a resource threshold.
type breach struct {
	p     *procscan.Process
	value float64
	text  string
}

func (j *judge) resources() {
	c := j.c
	var (
		baseCPU = map[int]*procscan.Process{}
		fdFail  []*procscan.Process
	)
	if j.base != nil {
		for _, p := range j.base.Processes {
			baseCPU[p.PID] = p
		}
	}
	type metric struct {
		what       string
		warn, crit float64
		wSet, cSet bool
		breaches   [3][]breach
	}
	rss := &metric{what: "rss", warn: float64(c.RSSWarning.Bytes), crit: float64(c.RSSCritical.Bytes), wSet: c.RSSWarning.Bytes > 0, cSet: c.RSSCritical.Bytes > 0}
	cpu := &metric{what: "cpu", warn: c.CPUWarning.Value, crit: c.CPUCritical.Value, wSet: c.CPUWarning.Set, cSet: c.CPUCritical.Set}
	fds := &metric{what: "fds", warn: c.FDWarning.Value, crit: c.FDCritical.Value, wSet: c.FDWarning.Set, cSet: c.FDCritical.Set}
	threads := &metric{what: "threads", warn: float64(c.ThreadsWarning.N), crit: float64(c.ThreadsCritical.N), wSet: c.ThreadsWarning.Set, cSet: c.ThreadsCritical.Set}
	rssLimit := map[threshold.Level]string{threshold.Warning: c.RSSWarning.String(), threshold.Critical: c.RSSCritical.String()}
	cpuLimit := map[threshold.Level]string{threshold.Warning: c.CPUWarning.String(), threshold.Critical: c.CPUCritical.String()}
	fdLimit := map[threshold.Level]string{threshold.Warning: c.FDWarning.String(), threshold.Critical: c.FDCritical.String()}
	thLimit := map[threshold.Level]string{threshold.Warning: strconv.Itoa(c.ThreadsWarning.N), threshold.Critical: strconv.Itoa(c.ThreadsCritical.N)}

	level := func(m *metric, v float64) threshold.Level {
		switch {
		case m.cSet && v > m.crit:
			return threshold.Critical
		case m.wSet && v > m.warn:
			return threshold.Warning
		}
		return threshold.Fine
	}
	for _, p := range j.m.Live {
		if l := level(rss, float64(p.RSS)); l != threshold.Fine {
			rss.breaches[l] = append(rss.breaches[l], breach{p, float64(p.RSS), fmt.Sprintf("pid %d rss %s > %s", p.PID, threshold.FormatBytes(p.RSS), rssLimit[l])})
		}
		if l := level(threads, float64(p.Threads)); l != threshold.Fine {
			threads.breaches[l] = append(threads.breaches[l], breach{p, float64(p.Threads), fmt.Sprintf("pid %d threads %d > %s", p.PID, p.Threads, thLimit[l])})
		}
		// The share is of the time between the two reads, which the
		// scans lengthen a little; the message names the sample asked for.
		if b := baseCPU[p.PID]; b != nil && b.StartTicks == p.StartTicks && j.sampled > 0 {
			pct := float64(p.CPU-b.CPU) / float64(j.sampled) * 100
			if l := level(cpu, pct); l != threshold.Fine {
				cpu.breaches[l] = append(cpu.breaches[l], breach{p, pct, fmt.Sprintf("pid %d cpu %.0f%% > %s (over %s)", p.PID, pct, cpuLimit[l], c.CPUSample)})
			}
		}
		if c.wantsFDs() {
			if p.Failed&(procscan.FDs|procscan.Limits) != 0 {
				fdFail = append(fdFail, p)
			} else if p.FDLimit > 0 {
				pct := float64(p.OpenFDs) / float64(p.FDLimit) * 100
				if l := level(fds, pct); l != threshold.Fine {
					fds.breaches[l] = append(fds.breaches[l], breach{p, pct, fmt.Sprintf("pid %d fds %d of soft limit %d (%.0f%%) > %s", p.PID, p.OpenFDs, p.FDLimit, pct, fdLimit[l])})
				}
			}
		}
	}
	for _, m := range []*metric{rss, cpu, fds, threads} {
		for _, l := range []threshold.Level{threshold.Critical, threshold.Warning} {
			bs := m.breaches[l]
			if len(bs) == 0 {
				continue
			}
			slices.SortStableFunc(bs, func(a, b breach) int {
				switch {
				case a.value > b.value:
					return -1
				case a.value < b.value:
					return 1
				}
				return 0
			})
			more := ""
			if len(bs) > 1 {
				more = fmt.Sprintf(" (and %d more)", len(bs)-1)
			}
			j.add(status(l), "%s%s", bs[0].text, more)
		}
	}
	if len(fdFail) > 0 {
		j.add(check.UNKNOWN, "cannot count open files of pid %d: %v", fdFail[0].PID, fdFail[0].Err)
	}
}

func processes(n int) string {
	if n == 1 {
		return "process"
	}
	return "processes"
}
