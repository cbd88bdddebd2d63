package appmetrics

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/certexpiry"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/procgroup"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/procscan"
)

// collector is one run of the plugin: what to measure and where its state
// lives.
type collector struct {
	Prefix string
	Spec   *targetSpec
	// TLS judges the --tls targets: its Targets are targetSpec.TLS's, in order,
	// with the trust options set.
	TLS certexpiry.Config
	// HTTP are the options of the client the --http targets are probed
	// with; Deadline is set from the run's context.
	HTTP        httpprobe.Options
	HostContext bool
	// StatePath is the state file; ConfigHash the configuration it is for.
	StatePath, ConfigHash string
	// Stderr gets what the run has to say beside the metrics: a state
	// file discarded, a target that failed and why.
	Stderr io.Writer
	// Proc is where /proc is mounted; "" for /proc.
	Proc string
}

// testHookMeasure, when set by a test, runs before each kind of target
// is measured ("tls", "http", "process", "host"): a test holds one back
// to stand for a target the machine's load makes late.
var testHookMeasure func(kind string)

// Run measures every target concurrently under ctx and writes the metric
// lines to w. A target that fails prints what it can and says why on
// Stderr; the others print as usual.
func (c *collector) Run(ctx context.Context, w io.Writer) error {
	var st *runState
	keepsState := len(c.Spec.Process) > 0 || c.HostContext
	if keepsState {
		var err error
		end := inflight.Begin(ctx, "reading the state file "+c.StatePath, check.UNKNOWN)
		st, err = loadState(c.StatePath, c.ConfigHash)
		end()
		if err != nil {
			c.warn("%v", err)
		}
	}

	// Each kind of target reports through done; the run prints what has
	// come in when all have, or shortly after the deadline whatever is
	// still out: one late target must not cost the others their points,
	// nor let the watchdog end the run with nothing printed.
	var (
		tlsRs []certexpiry.Result
		https []httpResult
		procs *procResult
		host  *hostResult
	)
	done := make(chan func(), 4)
	pending := 0
	hook := testHookMeasure
	start := func(kind string, measure func() func()) {
		pending++
		goroutine.Go(func() {
			if hook != nil {
				hook(kind)
			}
			done <- measure()
		})
	}
	if len(c.TLS.Targets) > 0 {
		start("tls", func() func() { r := c.TLS.Evaluate(ctx); return func() { tlsRs = r } })
	}
	if len(c.Spec.HTTP) > 0 {
		start("http", func() func() { r := c.probeHTTP(ctx); return func() { https = r } })
	}
	if len(c.Spec.Process) > 0 {
		start("process", func() func() { r := c.scan(ctx); return func() { procs = r } })
	}
	if c.HostContext {
		start("host", func() func() { r := sampleHost(ctx, st); return func() { host = r } })
	}
	var late <-chan time.Time
	if d, ok := ctx.Deadline(); ok {
		timer := time.NewTimer(time.Until(d) + goroutine.Grace)
		defer timer.Stop()
		late = timer.C
	}
collect:
	for ; pending > 0; pending-- {
		select {
		case keep := <-done:
			keep()
		case <-late:
			c.warn("%d of the kinds of target still running at the deadline: printed without them", pending)
			break collect
		}
	}

	out := &lines{w: w, prefix: c.Prefix, epoch: time.Now().Unix()}
	c.writeTLS(out, tlsRs)
	c.writeHTTP(out, https)
	next := &runState{Config: c.ConfigHash, At: time.Now().UnixNano(), Boot: time.Now().Unix()}
	if procs != nil {
		c.writeProcs(out, procs, st, next)
	}
	if host != nil {
		if host.err != nil {
			c.warn("host context: %v", host.err)
		}
		if host.cpuOK {
			out.put("host.cpu_used", host.cpu)
		}
		if host.memOK {
			out.put("host.mem_used", host.mem)
		}
		next.Host = host.counters
	}
	if out.err != nil {
		return out.err
	}
	if keepsState {
		end := inflight.Begin(ctx, "writing the state file "+c.StatePath, check.UNKNOWN)
		err := saveState(c.StatePath, next)
		end()
		if err != nil {
			c.warn("%v", err)
		}
	}
	return nil
}

func (c *collector) warn(format string, args ...any) {
	if c.Stderr != nil {
		fmt.Fprintf(c.Stderr, "mackerel-plugin-app: "+format+"\n", args...)
	}
}

// lines writes metric lines, all stamped with one epoch.
type lines struct {
	w      io.Writer
	prefix string
	epoch  int64
	err    error
}

func (l *lines) put(name string, v float64) {
	if l.err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	_, l.err = fmt.Fprintf(l.w, "%s.%s\t%s\t%d\n", l.prefix, name, strconv.FormatFloat(v, 'f', -1, 64), l.epoch)
}

// round keeps a figure to a precision a graph shows, so that the line
// does not carry float noise.
func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ---------------------------------------------------------------- TLS

// writeTLS prints each --tls target's days left, as check-tls-expiry
// judges them, and whether its certificate is valid. A target with
// several results (a file glob) is as good as its worst.
func (c *collector) writeTLS(out *lines, results []certexpiry.Result) {
	for _, t := range c.Spec.TLS {
		var days float64
		judged, valid := false, true
		for i := range results {
			r := &results[i]
			if r.Target != t.Target {
				continue
			}
			if r.Decider == nil {
				valid = false
				if r.Err != nil {
					c.warn("tls %s: %v", t.Name, r.Err)
				}
				continue
			}
			if !judged || r.DaysLeft < days {
				days = r.DaysLeft
			}
			judged = true
			// As a connection that failed, a certificate that cannot
			// be used says why: tls_valid 0 alone sends nobody anywhere.
			if why := invalidReason(r, c.TLS.NoVerify); why != "" {
				valid = false
				c.warn("tls %s: %s: %s", t.Name, r.Label(), why)
			}
		}
		if judged {
			// Full precision: the whole days of this figure are the
			// days check-tls-expiry prints.
			out.put("tls_days."+t.Name, days)
		}
		out.put("tls_valid."+t.Name, b2f(judged && valid))
	}
}

// invalidReason says why a certificate cannot be used, or "" when it
// can: not expired, and for an endpoint a handshake that completed and a
// chain that verified (unless verification is off).
func invalidReason(r *certexpiry.Result, noVerify bool) string {
	switch {
	case r.DaysLeft <= 0:
		return fmt.Sprintf("the certificate expired %s ago", textfmt.Age(time.Duration(-r.DaysLeft*float64(24*time.Hour))))
	case r.Damaged != nil:
		return r.Damaged.Error()
	case r.Target.IsFile():
		return ""
	case r.HandshakeErr != nil:
		return r.HandshakeErr.Error()
	case !r.Verified && !noVerify:
		if r.VerifyErr != nil {
			return "verification failed: " + r.VerifyErr.Error()
		}
		return "the chain was not verified"
	}
	return ""
}

// ---------------------------------------------------------------- HTTP

type httpResult struct {
	resp *httpprobe.Response
	err  error
}

func (c *collector) probeHTTP(ctx context.Context) []httpResult {
	o := c.HTTP
	if d, ok := ctx.Deadline(); ok {
		o.Deadline = d
	}
	client, err := httpprobe.New(o)
	if err != nil {
		rs := make([]httpResult, len(c.Spec.HTTP))
		for i := range rs {
			rs[i].err = err
		}
		return rs
	}
	defer client.CloseIdleConnections()
	return goroutine.Map(ctx, len(c.Spec.HTTP), 0, func(ctx context.Context, i int) httpResult {
		resp, err := client.Do(ctx, &httpprobe.Request{Method: "GET", URL: c.Spec.HTTP[i].URL})
		return httpResult{resp, err}
	}, func(i int, err error) httpResult { return httpResult{err: err} })
}

// writeHTTP prints each --http target's phases in milliseconds, its status
// and whether it is up. A target that gave no response prints http_up 0
// alone.
func (c *collector) writeHTTP(out *lines, results []httpResult) {
	ms := func(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 3) }
	for i, t := range c.Spec.HTTP {
		var r httpResult
		if i < len(results) {
			r = results[i]
		}
		if r.err != nil || r.resp == nil {
			if r.err != nil {
				c.warn("http %s: %v", t.Name, r.err)
			}
			out.put("http_up."+t.Name, 0)
			continue
		}
		tm := r.resp.Timings
		out.put("http_time."+t.Name+".dns", ms(tm.DNS))
		out.put("http_time."+t.Name+".connect", ms(tm.Connect))
		out.put("http_time."+t.Name+".tls", ms(tm.TLS))
		out.put("http_time."+t.Name+".ttfb", ms(tm.TTFB))
		out.put("http_time."+t.Name+".total", ms(tm.Total))
		out.put("http_status."+t.Name, float64(r.resp.StatusCode))
		out.put("http_up."+t.Name, b2f(up(r.resp.StatusCode)))
	}
}

// up says a final status is what check-http-e2e accepts by default
// (200-399), so that the graph of a target and its alert agree: a health
// URL answering 404 or 403 is down for its users, whatever the server's
// state. (httpexpect holds the check's rule but links gojq.)
func up(status int) bool { return status >= 200 && status < 400 }

// ---------------------------------------------------------------- processes

type procResult struct {
	snap    *procscan.Snapshot
	members []procgroup.Members
	err     error
}

// scan reads /proc once for every group.
func (c *collector) scan(ctx context.Context) *procResult {
	groups := make([]*procgroup.Group, len(c.Spec.Process))
	for i, t := range c.Spec.Process {
		// Stat too: a pattern group may match on the command line alone,
		// and the graphs need every member's CPU time, RSS and threads.
		groups[i] = &procgroup.Group{Label: t.Name, Select: t.Select, Filter: procgroup.AnyProcess, Extra: procscan.FDs | procscan.Stat}
	}
	set := procgroup.NewSet(groups...)
	s := &procscan.Scanner{Root: c.Proc}
	scanCtx, cancel := procscan.WithMargin(ctx)
	defer cancel()
	snap, err := s.Scan(scanCtx, set.Need)
	if err != nil {
		return &procResult{err: err}
	}
	return &procResult{snap: snap, members: set.Members(snap)}
}

// writeProcs prints each group's figures and records its members' CPU time
// in next.
//
// CPU is the processor time the group's members used since the previous
// run, over the time between the two scans, in % of one core. A member
// the previous run saw (same PID, same start time) counts what it used
// since; one that started after the previous scan counts everything it
// used, all of it spent since; one that is older but was not seen (it
// joined the group by changing its command line) is left out of this one
// point. A start time is known to the second only (the kernel gives the
// boot time in whole seconds), so "after the previous scan" allows that
// second: a process that started just before it and was not seen counts
// at most a second of CPU too much. So a restart neither spikes the graph (the old process is gone,
// the new one counts from its own start) nor drops a point. A first run,
// or one after a reboot, prints no proc_cpu.
func (c *collector) writeProcs(out *lines, r *procResult, prev *runState, next *runState) {
	if r.err != nil {
		c.warn("process groups: %v", r.err)
		return
	}
	snap := r.snap
	next.At, next.Boot, next.CPU = snap.At.UnixNano(), snap.Boot.Unix(), map[string]int64{}
	var since time.Duration
	if prev != nil && prev.at().After(snap.Boot) {
		since = snap.At.Sub(prev.at())
	}
	started := func(p *procscan.Process) time.Time {
		return snap.Boot.Add(time.Duration(p.StartTicks) * (time.Second / procscan.ClockTicks))
	}
	for i, t := range c.Spec.Process {
		m := r.members[i]
		// A count that was not taken is never graphed: a 0 would be a
		// fake outage. The members found still leave their CPU time for
		// the next run.
		partial := len(m.Unread) > 0
		if partial {
			c.warn("process %s: the scan of /proc ran out of time with %d %s left unread (%s): the group's values are left out", t.Name, len(m.Unread), plural(len(m.Unread), "process", "processes"), m.Unread[0])
		}
		var rss uint64
		var threads, fds int
		fdsKnown := true
		var cpu time.Duration
		counted := 0
		var youngest time.Time
		for _, p := range m.Live {
			rss += p.RSS
			threads += p.Threads
			if p.Have&procscan.FDs != 0 {
				fds += p.OpenFDs
			} else {
				fdsKnown = false
			}
			if s := started(p); s.After(youngest) {
				youngest = s
			}
			key := procKey(p.PID, p.StartTicks)
			next.CPU[key] = int64(p.CPU)
			if since <= 0 {
				continue
			}
			if before, ok := prev.CPU[key]; ok {
				cpu += max(p.CPU-time.Duration(before), 0)
				counted++
			} else if started(p).After(prev.at().Add(-procgroup.StaleAfter)) {
				// Started since the previous scan, as far as a start
				// time known to the second tells.
				cpu += p.CPU
				counted++
			}
		}
		if partial {
			continue
		}
		if t.Select.Kind == procgroup.Unit && len(m.Live) == 0 && len(m.Zombies) == 0 && !procgroup.SystemdRunning() {
			c.warn("process %s: systemd is not running on this host (no %s): unit:%s never has a process here, so its values are left out; name the processes with a pattern or name:", t.Name, procgroup.SystemdDir, t.Select.Value)
			continue
		}
		out.put("proc_count."+t.Name, float64(len(m.Live)))
		if since > 0 && (counted > 0 || len(m.Live) == 0) {
			out.put("proc_cpu."+t.Name, round(float64(cpu)/float64(since)*100, 2))
		}
		out.put("proc_rss."+t.Name, float64(rss))
		if fdsKnown {
			out.put("proc_fds."+t.Name, float64(fds))
		} else {
			c.warn("process %s: open files of some members could not be read (run as their user or root): proc_fds left out", t.Name)
		}
		out.put("proc_threads."+t.Name, float64(threads))
		if len(m.Live) > 0 {
			out.put("proc_uptime."+t.Name, round(max(snap.At.Sub(youngest).Seconds(), 0), 2))
		}
	}
}
