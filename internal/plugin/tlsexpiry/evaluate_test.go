package tlsexpiry

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// A name whose DNS never answers costs only its own target.
func TestEvaluateSilentResolverBesideAHealthyTarget(t *testing.T) {
	e := newEnv(t)
	leaf := testutil.Leaf(t, e.pki, 60.5, "good.test")
	good := hostTarget(t, testutil.ServeChain(t, leaf, e.pki.Intermediate))
	good.Host = "good.test"
	c := e.config(Target{Host: "silent.test", Port: 443}, good, hostTarget(t, testutil.ServeChain(t, leaf, e.pki.Intermediate)))
	c.Targets[2].Host = "127.0.0.1"
	c.SNI = "good.test"
	c.Resolver = testutil.Hosts{"good.test": {"127.0.0.1"}}
	// The silent name waits for the deadline; the healthy targets must
	// finish their handshakes before it, however busy the machine.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	results := c.Evaluate(ctx)
	if len(results) != 3 {
		t.Fatalf("%d results, want 3", len(results))
	}
	if r := results[0]; r.Phase != "dns" || r.Status != check.CRITICAL || !strings.Contains(r.Err.Error(), "timed out") {
		t.Errorf("silent name: phase %q, status %v, err %v", r.Phase, r.Status, r.Err)
	}
	for _, r := range results[1:] {
		if r.Err != nil || r.Status != check.OK || !r.Verified || int(r.DaysLeft) != 60 {
			t.Errorf("%s: err %v, status %v, verified %v, days %.1f", r.Label(), r.Err, r.Status, r.Verified, r.DaysLeft)
		}
	}
	rep := c.Render(results)
	rep.Tag = "TLS"
	if msg := rep.Message(); !strings.HasPrefix(msg, "TLS CRITICAL: silent.test:443: dns: timed out after ") || !strings.HasSuffix(msg, "\nOK: 2 more targets") {
		t.Errorf("message %q", msg)
	}
}

// The decision as data: what a metric plugin emits.
func TestEvaluateResults(t *testing.T) {
	e := newEnv(t)
	leaf, target := e.serve(t, 20.5)
	closed := hostTarget(t, testutil.ClosedAddr(t))
	results := e.config(target, closed).Evaluate(context.Background())
	r := results[0]
	if r.Status != check.WARNING || !r.Verified || r.VerifyErr != nil || r.Decider == nil || !r.Decider.Equal(leaf.Certificate) {
		t.Errorf("result: %+v", r)
	}
	if r.DaysLeft < 20.4 || r.DaysLeft > 20.6 {
		t.Errorf("DaysLeft = %f, want 20.5", r.DaysLeft)
	}
	if len(r.Chain) != 3 || len(r.Presented) != 2 || r.Addr.String() != target.Label() || r.TLSVersion == 0 {
		t.Errorf("chain %d, presented %d, addr %s, version %x", len(r.Chain), len(r.Presented), r.Addr, r.TLSVersion)
	}
	if tm := r.Timings; tm.Connect <= 0 || tm.Handshake <= 0 || tm.Verify <= 0 {
		t.Errorf("timings %+v", tm)
	}
	if f := results[1]; f.Phase != "connect" || f.Status != check.CRITICAL || f.Decider != nil {
		t.Errorf("refused: %+v", f)
	}

	// Without verification nothing is Verified, and the days stay.
	c := e.config(target)
	c.NoVerify = true
	if r := c.Evaluate(context.Background())[0]; r.Verified || r.VerifyErr != nil || int(r.DaysLeft) != 20 {
		t.Errorf("no-verify: verified %v, err %v, days %f", r.Verified, r.VerifyErr, r.DaysLeft)
	}
}

// A client falls back to the next address when the first refuses: the
// OK text does not name the address, a finding does.
func TestEvaluateFallsBackToTheNextAddress(t *testing.T) {
	e := newEnv(t)
	leaf := testutil.Leaf(t, e.pki, 20.5, "dual.test")
	ap := netip.MustParseAddrPort(testutil.ServeChain(t, leaf, e.pki.Intermediate))
	target := Target{Host: "dual.test", Port: int(ap.Port())}
	c := e.config(target)
	// ::1 first, as localhost is on Debian; nothing listens there.
	c.Resolver = testutil.Hosts{"dual.test": {"::1", "127.0.0.2", "127.0.0.1"}}
	expectMessage(t, run(t, c), check.WARNING, "TLS WARNING: dual.test:"+fmt.Sprint(ap.Port())+" [127.0.0.1] leaf CN=dual.test (issuer Test Intermediate) expires in 20 days ("+stampOf(leaf)+"), warning below 30 days")
	c.Warning, c.Critical = DefaultCritical, DefaultCritical
	expectMessage(t, run(t, c), check.OK, "TLS OK: 1 target, earliest expiry in 20 days (dual.test:"+fmt.Sprint(ap.Port())+" leaf, "+date(leaf)+")")

	// Every address refuses: the last one tried is named.
	c.Resolver = testutil.Hosts{"dual.test": {"127.0.0.2", "127.0.0.3"}}
	rep := run(t, c)
	if msg := rep.Message(); !strings.HasPrefix(msg, "TLS CRITICAL: dual.test:"+fmt.Sprint(ap.Port())+": connect 127.0.0.") || !strings.Contains(msg, "connection refused") {
		t.Errorf("message %q", msg)
	}
}

// The outage AllAddresses catches: the certificate was renewed on one
// load-balancer node only.
func TestEvaluateAllAddresses(t *testing.T) {
	e := newEnv(t)
	const name = "multi.test"
	fresh := testutil.Leaf(t, e.pki, 80.5, name)
	stale := testutil.Leaf(t, e.pki, 6.5, name)
	port := samePort(t, []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}, []*fixture.Cert{fresh, stale, fresh}, e.pki.Intermediate)
	target := Target{Host: name, Port: port}
	label := fmt.Sprintf("%s:%d", name, port)
	c := e.config(target)
	c.AllAddresses = true
	c.Resolver = testutil.Hosts{name: {"127.0.0.3", "127.0.0.2", "127.0.0.1"}, "v4only.test": {"127.0.0.1"}}
	expectMessage(t, run(t, c), check.CRITICAL,
		"TLS CRITICAL: "+label+" [127.0.0.2] leaf CN="+name+" (issuer Test Intermediate) expires in 6 days ("+stampOf(stale)+"), critical below 14 days",
		"OK: 2 more targets")
	var got []string
	for _, r := range c.Evaluate(context.Background()) {
		got = append(got, fmt.Sprintf("%s %v", r.Label(), r.Status))
	}
	want := fmt.Sprintf("%[1]s [127.0.0.1] OK, %[1]s [127.0.0.2] CRITICAL, %[1]s [127.0.0.3] OK", label)
	if strings.Join(got, ", ") != want {
		t.Errorf("results %q, want %q", got, want)
	}

	c = e.config(Target{Host: "v4only.test", Port: port})
	c.AllAddresses, c.Family, c.Resolver = true, netdial.IPv6, testutil.Hosts{"v4only.test": {"127.0.0.1"}}
	expectMessage(t, run(t, c), check.CRITICAL, "TLS CRITICAL: v4only.test:"+fmt.Sprint(port)+": dns: no IPv6 address")
}

// samePort serves each leaf on the same port of its own address.
func samePort(t *testing.T, addrs []string, leaves []*fixture.Cert, inter *fixture.Cert) int {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		var servers []*fixture.Server
		port := 0
		for i, a := range addrs {
			s, err := fixture.ServeTLS(fixture.TLSOptions{Addr: net.JoinHostPort(a, fmt.Sprint(port)), Chain: []*fixture.Cert{leaves[i], inter}})
			if err != nil {
				break
			}
			servers = append(servers, s)
			port = s.Port()
		}
		if len(servers) == len(addrs) {
			t.Cleanup(func() {
				for _, s := range servers {
					s.Close()
				}
			})
			return port
		}
		for _, s := range servers {
			s.Close()
		}
	}
	t.Fatalf("no port free on all of %v", addrs)
	return 0
}

// A hung handshake is named once in what the run has in progress: the
// watchdog's verdict lists every open item, and the probe records its own
// phases.
func TestEvaluateRecordsAHungHandshakeOnce(t *testing.T) {
	e := newEnv(t)
	stalled := hostTarget(t, testutil.ServeStall(t))
	tracker := &inflight.Tracker{}
	ctx, cancel := context.WithTimeout(inflight.With(context.Background(), tracker), 5*time.Second)
	defer cancel()
	done := make(chan []Result, 1)
	goroutine.Go(func() { done <- e.config(stalled).Evaluate(ctx) })
	want := "tls " + stalled.Label()
	var open []inflight.Item
	for deadline := time.Now().Add(4 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if open = tracker.Open(); len(open) > 0 && open[0].What == want {
			break
		}
	}
	cancel()
	<-done
	if len(open) != 1 || open[0].What != want {
		var whats []string
		for _, it := range open {
			whats = append(whats, it.What)
		}
		t.Errorf("in progress: %q, want only %q", whats, want)
	}
}
