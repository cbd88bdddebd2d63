package certexpiry

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/expiry"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlstarget"
)

// Evaluate runs every target's pipeline within ctx, each in one job:
// resolve, connect, handshake, verify and judge an endpoint; read and
// judge a file. A target that hangs costs only itself: the others finish
// on their own, and Evaluate returns shortly after ctx's deadline with a
// result for every target, saying what an unfinished one was doing.
// Results are in command-line order, a target's addresses sorted.
func (c *Config) Evaluate(ctx context.Context) []Result {
	e := &evaluation{Config: c, now: c.Now, progress: make([]*progress, len(c.Targets))}
	if e.now.IsZero() {
		e.now = time.Now()
	}
	e.verifier = certchain.NewVerifier(c.Trust, e.now, c.NoVerify)
	e.judge = expiry.Judge{Warning: c.Warning, Critical: c.Critical, Now: e.now}
	for i := range e.progress {
		e.progress[i] = &progress{}
	}
	perTarget := goroutine.Map(ctx, len(c.Targets), 0, func(ctx context.Context, i int) []Result {
		return e.target(ctx, i)
	}, func(i int, err error) []Result {
		return e.progress[i].unfinished(ctx, c.Targets[i], err)
	})
	var out []Result
	for _, rs := range perTarget {
		out = append(out, rs...)
	}
	return out
}

// evaluation is one run of Evaluate.
type evaluation struct {
	*Config
	now      time.Time
	verifier *certchain.Verifier
	judge    expiry.Judge
	progress []*progress
}

func (e *evaluation) target(ctx context.Context, i int) []Result {
	t, p := e.Targets[i], e.progress[i]
	if t.IsFile() {
		return e.files(ctx, p, t)
	}
	dialer := netdial.Dialer{Resolver: e.Resolver, Family: e.Family}
	var addrs []netip.Addr
	var timings Timings
	if e.IP.IsValid() {
		addrs = []netip.Addr{e.IP}
	} else {
		tm := p.begin(ctx, inflight.DNS, t.Host, false)
		a, err := netdial.Resolve(ctx, e.Resolver, t.Host, e.Family)
		timings.DNS = tm.end()
		if err != nil {
			return []Result{e.failed(t, netip.AddrPort{}, err)}
		}
		addrs = a
	}
	ports := make([]netip.AddrPort, len(addrs))
	for k, a := range addrs {
		ports[k] = netip.AddrPortFrom(a, uint16(t.Port))
	}
	if !e.AllAddresses {
		// A client's view: the first address to answer serves.
		return []Result{e.endpoint(ctx, p, t, timings, func(ctx context.Context) (netip.AddrPort, *tlsprobe.Endpoint, error) {
			tm := p.begin(ctx, inflight.Connect, t.Host, false)
			conn, ap, err := dialer.DialAddrs(ctx, ports)
			tm.end()
			if err != nil {
				return netip.AddrPort{}, nil, err
			}
			return ap, &tlsprobe.Endpoint{Addr: ap, Conn: conn}, nil
		})}
	}
	// Every address, sorted, so that the lines keep their order whatever
	// order a round-robin resolver answers in.
	sort.Slice(ports, func(x, y int) bool { return ports[x].Addr().Less(ports[y].Addr()) })
	results := make([]Result, len(ports))
	var wg sync.WaitGroup
	for k, ap := range ports {
		wg.Add(1)
		goroutine.Go(func() {
			defer wg.Done()
			results[k] = e.endpoint(ctx, p, t, timings, func(context.Context) (netip.AddrPort, *tlsprobe.Endpoint, error) {
				return ap, &tlsprobe.Endpoint{Addr: ap}, nil
			})
			p.finished(results[k])
		})
	}
	wg.Wait()
	return results
}

// endpoint probes, verifies and judges one endpoint; connect says where
// to.
func (e *evaluation) endpoint(ctx context.Context, p *progress, t tlstarget.Target, timings Timings,
	connect func(context.Context) (netip.AddrPort, *tlsprobe.Endpoint, error)) Result {
	start := time.Now()
	ap, ep, err := connect(ctx)
	if err != nil {
		return e.failed(t, ap, err)
	}
	if ep.Conn != nil {
		timings.Connect = time.Since(start)
	}
	ep.ServerName = e.serverName(t)
	ep.StartTLS = t.StartTLS
	what := inflight.TLS
	if t.StartTLS != "" {
		what = inflight.StartTLS
	}
	tm := p.begin(ctx, what, ap.String(), false)
	res, err := tlsprobe.Probe(ctx, *ep, tlsprobe.Options{ClientCert: e.ClientCert})
	tm.end()
	if err != nil && (res == nil || len(res.Certificates) == 0) {
		return e.failed(t, ap, err)
	}
	if res.Connect > 0 {
		timings.Connect = res.Connect
	}
	timings.StartTLS, timings.Handshake = res.StartTLS, res.Handshake

	r := Result{Target: t, Addr: ap, Presented: res.Certificates, TLSVersion: res.Version,
		Refused: certchain.RefusedHandshake(res.HandshakeSignature)}
	if err != nil {
		// The certificates arrived before the handshake failed (a key
		// or signature Go refuses, the server's alert after ours): how
		// long they have left is still known.
		r.HandshakeErr = err
		var pe *inflight.Error
		if errors.As(err, &pe) {
			r.Phase = pe.Phase
		}
	}
	// Verification is CPU work that ctx cannot interrupt: a chain is not
	// started after the deadline, and one in progress is named if the
	// run gives up on it. Without verification there is no such work, and
	// certificates that arrived in time are judged.
	vt := p.begin(ctx, PhaseVerify, ap.String(), true)
	if ctx.Err() != nil && !e.NoVerify {
		return e.failed(t, ap, vt.timer.Fail(ctx, ctx.Err()))
	}
	var served certchain.Served
	if leafUnparsed(res.Unparsed) {
		// The readable certificates are no chain to verify: the days
		// they have left are all there is to say.
		for _, x := range res.Certificates {
			served.Chain = append(served.Chain, certchain.Cert{Certificate: x, Role: certchain.RoleOf(x)})
		}
	} else {
		served = e.verifier.Verify(res.Certificates, e.serverName(t))
	}
	timings.Verify = vt.end()
	r.Timings = timings
	r.Chain, r.Unused, r.VerifyErr = served.Chain, served.Unused, served.VerifyErr
	r.Verified = !e.NoVerify && served.VerifyErr == nil
	e.decide(&r)
	if r.VerifyErr != nil && !r.JudgedFailure() {
		r.Status = check.CRITICAL
	}
	if r.HandshakeErr != nil || r.Refused != nil {
		r.Status = check.Worst(r.Status, check.CRITICAL)
	}
	return r
}

func leafUnparsed(us []tlsprobe.Unparsed) bool {
	return len(us) > 0 && us[0].Index == 0
}

// files reads and judges the files a path or glob names, each on its own.
func (e *evaluation) files(ctx context.Context, p *progress, t tlstarget.Target) []Result {
	// A file on a hung network mount blocks in the kernel, where ctx
	// cannot reach: the read is recorded, so that the run that gives up
	// on it names the file.
	st := p.begin(ctx, PhaseRead, t.Path, true)
	paths, err := certchain.Glob(t.Path)
	st.end()
	if err != nil {
		return []Result{{Target: t, Path: t.Path, Err: err, Status: check.UNKNOWN}}
	}
	var out []Result
	for _, path := range paths {
		st := p.begin(ctx, PhaseRead, path, true)
		certs, err := certchain.ReadFile(path)
		st.end()
		r := Result{Target: t, Path: path, Presented: certs}
		var bad *certchain.ParseError
		switch {
		case errors.As(err, &bad) && len(certs) > 0:
			// One block Go cannot parse must not hide the expiry
			// of the certificates beside it.
			r.Damaged = err
		case err != nil:
			r.Err, r.Status = err, check.UNKNOWN
			out = append(out, r)
			continue
		}
		r.Chain = make([]certchain.Cert, len(certs))
		for i, x := range certs {
			r.Chain[i] = certchain.Cert{Certificate: x, Role: certchain.RoleOf(x)}
		}
		e.decide(&r)
		if r.Damaged != nil {
			r.Status = check.Worst(r.Status, check.UNKNOWN)
		}
		out = append(out, r)
	}
	return out
}

// decide judges r's chain.
func (e *evaluation) decide(r *Result) {
	r.Verdicts = e.judge.Chain(r.Chain)
	r.Decider = &r.Verdicts[0].Cert
	r.DaysLeft = expiry.DaysLeft(r.Decider.NotAfter, e.now)
	r.Status = r.Verdicts[0].Status
	r.JudgedAt = e.now
}

func (e *evaluation) failed(t tlstarget.Target, ap netip.AddrPort, err error) Result {
	r := Result{Target: t, Addr: ap, Err: err, Status: check.CRITICAL}
	var pe *inflight.Error
	if errors.As(err, &pe) {
		r.Phase = pe.Phase
	}
	var pan *goroutine.PanicError
	if errors.As(err, &pan) {
		r.Status = check.UNKNOWN
	}
	return r
}

// progress is what a target's job is doing, for the result it gets if
// the run gives up on it.
type progress struct {
	mu   sync.Mutex
	open map[*step]bool
	done []Result
}

type step struct {
	phase, addr string
	timer       inflight.Timer
	p           *progress
}

// begin opens a phase in the job's own record. netdial and tlsprobe
// record the phases they run in the run's inflight tracker themselves, so
// only work done here (verification) is recorded there too (tracked):
// twice would name one hung handshake twice in the watchdog's verdict.
func (p *progress) begin(ctx context.Context, ph, addr string, tracked bool) *step {
	timer := inflight.StartPhase(ph, addr)
	if tracked {
		timer = inflight.BeginPhase(ctx, ph, addr)
	}
	s := &step{phase: ph, addr: addr, timer: timer, p: p}
	p.mu.Lock()
	if p.open == nil {
		p.open = map[*step]bool{}
	}
	p.open[s] = true
	p.mu.Unlock()
	return s
}

func (s *step) end() time.Duration {
	s.p.mu.Lock()
	delete(s.p.open, s)
	s.p.mu.Unlock()
	return s.timer.End()
}

func (p *progress) finished(r Result) {
	p.mu.Lock()
	p.done = append(p.done, r)
	p.mu.Unlock()
}

// unfinished is the results of a job the run gave up on: what it had
// finished, and for the rest the phase it was in.
func (p *progress) unfinished(ctx context.Context, t tlstarget.Target, err error) []Result {
	status := check.CRITICAL
	if t.IsFile() {
		status = check.UNKNOWN
	}
	prefix := ""
	if t.IsFile() {
		prefix = t.Path + ": " // a file's errors name it
	}
	var pan *goroutine.PanicError
	if errors.As(err, &pan) {
		return []Result{{Target: t, Path: t.Path, Err: fmt.Errorf("%s%w", prefix, err), Status: check.UNKNOWN}}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := append([]Result(nil), p.done...)
	var open []*step
	for s := range p.open {
		open = append(open, s)
	}
	sort.Slice(open, func(a, b int) bool { return open[a].addr < open[b].addr })
	for _, s := range open {
		pe := s.timer.Fail(ctx, err)
		r := Result{Target: t, Path: t.Path, Err: pe, Phase: s.phase, Status: status}
		if ap, perr := netip.ParseAddrPort(s.addr); perr == nil {
			r.Addr = ap
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		msg := "not checked: time ran out before its turn"
		var u *goroutine.Unfinished
		if errors.As(err, &u) && u.Started {
			msg = "not checked: time ran out"
		}
		out = append(out, Result{Target: t, Path: t.Path, Err: errors.New(prefix + msg), Status: status})
	}
	return out
}

// serverName is the name sent as SNI and verified: SNI, else the host.
func (c *Config) serverName(t tlstarget.Target) string {
	if c.SNI != "" {
		return c.SNI
	}
	return t.Host
}
