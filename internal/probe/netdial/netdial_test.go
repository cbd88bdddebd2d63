package netdial

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestResolve(t *testing.T) {
	r := testutil.Hosts{"multi.test": {"127.0.0.2", "::1", "127.0.0.1", "127.0.0.2"}, "v4.test": {"127.0.0.1"}}
	for _, tc := range []struct {
		host   string
		family Family
		want   string // the addresses, or the error
	}{
		{"127.0.0.1", AnyFamily, "127.0.0.1"},
		{"127.0.0.1", IPv4, "127.0.0.1"},
		{"::1", AnyFamily, "::1"},
		{"::1", IPv6, "::1"},
		{"::ffff:127.0.0.1", AnyFamily, "127.0.0.1"},
		{"::ffff:127.0.0.1", IPv4, "127.0.0.1"},
		{"127.0.0.1", IPv6, "dns 127.0.0.1: 127.0.0.1 is not an IPv6 address"},
		{"::1", IPv4, "dns ::1: ::1 is not an IPv4 address"},
		{"::ffff:127.0.0.1", IPv6, "dns ::ffff:127.0.0.1: ::ffff:127.0.0.1 is not an IPv6 address"},
		{"multi.test", AnyFamily, "127.0.0.2 ::1 127.0.0.1"}, // resolver order, no repeats
		{"multi.test", IPv4, "127.0.0.2 127.0.0.1"},
		{"multi.test", IPv6, "::1"},
		{"v4.test", IPv6, "dns v4.test: no IPv6 address"},
		{"silent.test", AnyFamily, "dns silent.test: timed out after "},
	} {
		t.Run(tc.host+" "+tc.family.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			addrs, err := Resolve(ctx, r, tc.host, tc.family)
			if strings.HasPrefix(tc.want, "dns ") {
				var pe *inflight.Error
				if !errors.As(err, &pe) || pe.Phase != inflight.DNS {
					t.Fatalf("Resolve = %v, %v; want a dns phase error", addrs, err)
				}
				if pe.TimedOut != strings.Contains(tc.want, "timed out") {
					t.Errorf("TimedOut = %v for %q", pe.TimedOut, err)
				}
				if !strings.HasPrefix(err.Error(), tc.want) {
					t.Errorf("error %q, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			var got []string
			for _, a := range addrs {
				got = append(got, a.String())
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("Resolve = %v, want %s", got, tc.want)
			}
		})
	}
}

func TestFamily(t *testing.T) {
	for _, tc := range []struct {
		f             Family
		name, network string
	}{
		{AnyFamily, "IP", "ip"},
		{IPv4, "IPv4", "ip4"},
		{IPv6, "IPv6", "ip6"},
	} {
		if got := tc.f.String(); got != tc.name {
			t.Errorf("Family(%d).String() = %q, want %q", tc.f, got, tc.name)
		}
		if got := tc.f.network(); got != tc.network {
			t.Errorf("Family(%d).network() = %q, want %q", tc.f, got, tc.network)
		}
	}
}

// A client moves on from an address that refuses, and from one that does
// not answer within the fallback delay; the first to connect answers.
func TestDialFallsBack(t *testing.T) {
	up := testutil.ServeStall(t) // accepts; Dial needs no more
	upAP := netip.MustParseAddrPort(up)
	closed := netip.MustParseAddrPort(testutil.ClosedAddr(t))
	port := int(upAP.Port())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// "localhost" is ::1 first on many systems; the listener is IPv4 only.
	r := testutil.Hosts{"localhost": {"::1", "127.0.0.1"}}
	d := &Dialer{Resolver: r}
	conn, answered, err := d.Dial(ctx, "localhost", port)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	conn.Close()
	if answered != upAP {
		t.Errorf("answered by %s, want %s", answered, upAP)
	}

	conn, answered, err = d.DialAddrs(ctx, []netip.AddrPort{closed, upAP})
	if err != nil || answered != upAP {
		t.Fatalf("DialAddrs = %v, %v; want %s", answered, err, upAP)
	}
	conn.Close()

	// Every address refuses: the error is the connect phase's.
	_, _, err = d.DialAddrs(ctx, []netip.AddrPort{closed, closed})
	var pe *inflight.Error
	if !errors.As(err, &pe) || pe.Phase != inflight.Connect || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("DialAddrs to closed ports: %v", err)
	}

	// Through the signature http.Transport uses.
	conn, err = d.DialContext(ctx, "tcp", net.JoinHostPort("localhost", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("DialContext: %v", err)
	}
	conn.Close()
	if _, err := d.DialContext(ctx, "tcp", "localhost"); err == nil {
		t.Errorf("DialContext without a port succeeded")
	}
}

// A name whose resolver never answers ends with ctx, as a dns timeout.
func TestDialSilentResolver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	d := &Dialer{Resolver: testutil.Hosts{}}
	_, _, err := d.Dial(ctx, "silent.test", 443)
	var pe *inflight.Error
	if !errors.As(err, &pe) || pe.Phase != inflight.DNS || !pe.TimedOut {
		t.Errorf("Dial = %v, want a dns timeout", err)
	}
}

// net/http runs DialContext on a goroutine of its own: a panic there
// reaches the handler and fails the request instead of crashing.
func TestDialContextPanicReported(t *testing.T) {
	panics := make(chan *goroutine.PanicError, 1)
	defer goroutine.Handle(func(p *goroutine.PanicError) { panics <- p })()
	var d *Dialer // its Resolver field cannot be read
	tr := &http.Transport{DialContext: d.DialContext}
	defer tr.CloseIdleConnections()
	addr := testutil.ClosedAddr(t)
	resp, err := (&http.Client{Transport: tr}).Get("http://" + addr + "/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("a request whose dial panicked succeeded")
	}
	if want := "dial " + addr + " did not finish"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	select {
	case p := <-panics:
		if !strings.Contains(p.Error(), "nil pointer") {
			t.Errorf("panic %v, want the nil pointer", p.Value)
		}
	default:
		t.Error("the panic did not reach the handler")
	}
}

// net/http dials with a context detached from the request's deadline
// (a connection may serve a later request), so a dial through a resolver
// that never answers would outlive the request: Deadline ends it, as a dns
// timeout, with its work-in-progress item closed.
func TestDialDeadlineThroughHTTP(t *testing.T) {
	d := &Dialer{Resolver: testutil.Hosts{}, Deadline: time.Now().Add(200 * time.Millisecond)}
	dialed := make(chan error, 1)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		dialed <- err
		return conn, err
	}}
	defer tr.CloseIdleConnections() // also cancels a dial still running

	tracker := &inflight.Tracker{}
	ctx, cancel := context.WithTimeout(inflight.With(context.Background(), tracker), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://silent.test:80/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := (&http.Client{Transport: tr}).Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a request to a name that never resolves succeeded")
	}

	select {
	case err := <-dialed:
		var pe *inflight.Error
		if !errors.As(err, &pe) || pe.Phase != inflight.DNS || !pe.TimedOut {
			t.Errorf("dial = %v, want a dns timeout", err)
		}
	case <-time.After(10 * time.Second): // far past the deadline
		t.Fatal("the dial outlived its deadline")
	}
	if open := tracker.Open(); len(open) != 0 {
		t.Errorf("still open after the dial: %v", open)
	}
}

// Connections are made from LocalAddr: the server sees it as the peer,
// through http.Transport as check-http-e2e's --source-ip uses it.
func TestDialLocalAddr(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		io.WriteString(w, host)
	}))
	defer srv.Close()
	sources := []string{"127.0.0.1"}
	if runtime.GOOS == "linux" { // all of 127.0.0.0/8 is the loopback there
		sources = append(sources, "127.0.0.2") // not the address the system would choose
	}
	for _, src := range sources {
		d := &Dialer{LocalAddr: netip.MustParseAddr(src)}
		tr := &http.Transport{DialContext: d.DialContext}
		resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
		if err != nil {
			t.Errorf("from %s: %v", src, err)
			continue
		}
		seen, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if string(seen) != src {
			t.Errorf("from %s: the server saw %s", src, seen)
		}
	}

	// A name with addresses of both families: only those the source
	// address can reach are tried.
	port := int(netip.MustParseAddrPort(srv.Listener.Addr().String()).Port())
	d := &Dialer{LocalAddr: netip.MustParseAddr("127.0.0.1"), Resolver: testutil.Hosts{"both.test": {"::1", "127.0.0.1"}}, FallbackDelay: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, answered, err := d.Dial(ctx, "both.test", port)
	if err != nil {
		t.Fatalf("Dial both.test from 127.0.0.1: %v", err)
	}
	conn.Close()
	if answered.Addr() != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("answered by %s, want 127.0.0.1", answered)
	}
}

// A source address of the other family than the one asked for, or than
// the address dialed, is refused before any connection is tried.
func TestDialLocalAddrFamily(t *testing.T) {
	port := netip.MustParseAddrPort(testutil.ClosedAddr(t)).Port()
	for _, tc := range []struct {
		local  string
		family Family
		host   string
		want   string
	}{
		{"127.0.0.1", IPv6, "::1", "source address 127.0.0.1 is not an IPv6 address"},
		{"::1", IPv4, "127.0.0.1", "source address ::1 is not an IPv4 address"},
		{"127.0.0.1", AnyFamily, "::1", "connect [::1]:" + strconv.Itoa(int(port)) + ": source address 127.0.0.1 is IPv4 and cannot reach an IPv6 address"},
		{"::1", AnyFamily, "127.0.0.1", "connect 127.0.0.1:" + strconv.Itoa(int(port)) + ": source address ::1 is IPv6 and cannot reach an IPv4 address"},
		{"::1", AnyFamily, "v4.test", "source address ::1 is IPv6 and cannot reach an IPv4 address"},
	} {
		d := &Dialer{LocalAddr: netip.MustParseAddr(tc.local), Family: tc.family, Resolver: testutil.Hosts{"v4.test": {"127.0.0.1"}}}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := d.DialContext(ctx, "tcp", net.JoinHostPort(tc.host, strconv.Itoa(int(port))))
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("from %s (%s) to %s: error %v, want %q", tc.local, tc.family, tc.host, err, tc.want)
		}
	}
}
