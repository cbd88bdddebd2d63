package httpprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http/httptrace"
	"net/url"
	"sync"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
)

// tracer follows one request through its phases: it sums their times
// over every hop and knows which one was in progress when the request
// failed. net/http calls its hooks from its own goroutines (HTTP/2 reads
// on the connection's), hence the lock.
type tracer struct {
	ctx   context.Context
	start time.Time

	mu     sync.Mutex
	t      Timings
	cur    string // the phase in progress, "" between phases
	addr   string
	timer  inflight.Timer
	since  time.Time
	conn   string // the remote address of the last connection got
	dnsAt  time.Time
	connAt time.Time
	tlsAt  time.Time
	sentAt time.Time
	// dialed says the dialer did and timed the last handshake itself.
	dialed bool
}

type tracerKey struct{}

func withTracer(ctx context.Context, tr *tracer) context.Context {
	return context.WithValue(ctx, tracerKey{}, tr)
}

func tracerFrom(ctx context.Context) *tracer {
	tr, _ := ctx.Value(tracerKey{}).(*tracer)
	return tr
}

// enter marks p at addr as in progress. The ttfb and body phases are also
// recorded in the run's inflight tracker; dns, connect and tls are
// recorded by the dialer and the handshake themselves.
func (tr *tracer) enter(p, addr string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.enterLocked(p, addr)
}

func (tr *tracer) enterLocked(p, addr string) {
	tr.timer.End()
	tr.cur, tr.addr, tr.since = p, addr, time.Now()
	if p == inflight.TTFB || p == inflight.Body {
		tr.timer = inflight.BeginPhase(tr.ctx, p, addr)
	} else {
		tr.timer = inflight.StartPhase(p, addr)
	}
}

// leave ends the phase in progress, adding the body's time.
func (tr *tracer) leave() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.cur == inflight.Body {
		tr.t.Body += time.Since(tr.since)
	}
	tr.timer.End()
	tr.cur = ""
}

func (tr *tracer) close() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.timer.End()
}

func (tr *tracer) timings() Timings {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	t := tr.t
	t.Total = time.Since(tr.start)
	return t
}

// remote is the address of the connection in use, or the URL's host.
func (tr *tracer) remote(u *url.URL) string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.conn != "" {
		return tr.conn
	}
	return u.Host
}

func (tr *tracer) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(info httptrace.DNSStartInfo) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			tr.dnsAt = time.Now()
			tr.enterLocked(inflight.DNS, info.Host)
		},
		DNSDone: func(httptrace.DNSDoneInfo) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if !tr.dnsAt.IsZero() {
				tr.t.DNS += time.Since(tr.dnsAt)
				tr.dnsAt = time.Time{}
			}
		},
		ConnectStart: func(network, addr string) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			// Happy Eyeballs starts several: the connect phase runs from
			// the first to the one that wins.
			if tr.connAt.IsZero() {
				tr.connAt = time.Now()
			}
			tr.enterLocked(inflight.Connect, addr)
		},
		ConnectDone: func(network, addr string, err error) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if err == nil && !tr.connAt.IsZero() {
				tr.t.Connect += time.Since(tr.connAt)
				tr.connAt = time.Time{}
				tr.conn = addr
			}
		},
		// net/http reports its own handshakes (through a proxy tunnel),
		// and calls these hooks again after the dialer's handshake,
		// which is done by then and timed already.
		TLSHandshakeStart: func() {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if tr.dialed {
				return
			}
			tr.tlsAt = time.Now()
			tr.enterLocked(inflight.TLS, tr.conn)
		},
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if tr.dialed {
				tr.dialed = false
				return
			}
			tr.doneTLSLocked()
		},
		GotConn: func(info httptrace.GotConnInfo) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if info.Conn != nil {
				tr.conn = info.Conn.RemoteAddr().String()
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			tr.sentAt = time.Now()
			tr.enterLocked(inflight.TTFB, tr.conn)
		},
		GotFirstResponseByte: func() {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if !tr.sentAt.IsZero() {
				tr.t.TTFB += time.Since(tr.sentAt)
				tr.sentAt = time.Time{}
			}
			tr.timer.End()
			tr.cur = ""
		},
	}
}

// handshake marks the start of a TLS handshake the dialer does itself.
func (tr *tracer) handshake(addr string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.tlsAt = time.Now()
	tr.enterLocked(inflight.TLS, addr)
}

// handshakeDone ends it. After a handshake that succeeded, net/http calls
// its hooks for it: they are ignored.
func (tr *tracer) handshakeDone(ok bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.doneTLSLocked()
	tr.dialed = ok
}

func (tr *tracer) doneTLSLocked() {
	if !tr.tlsAt.IsZero() {
		tr.t.TLS += time.Since(tr.tlsAt)
		tr.tlsAt = time.Time{}
	}
}

// fail turns what net/http returned into an error naming the phase in
// progress: the dialer's and the handshake's own *inflight.Error when they
// failed, or the phase the tracer saw last (a timeout while waiting for
// the first byte has no other witness).
func (tr *tracer) fail(err error, u *url.URL) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var pe *inflight.Error
	var re *RedirectError
	if errors.As(err, &pe) || errors.As(err, &re) {
		tr.close()
		return err
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.cur != "" {
		return tr.timer.Fail(tr.ctx, err)
	}
	// Between phases: the request was being written, or a connection
	// was being got from the pool.
	p, addr := inflight.TTFB, tr.conn
	if addr == "" {
		p, addr = inflight.Connect, hostPort(u)
	}
	e := inflight.StartPhase(p, addr).Fail(tr.ctx, err)
	e.Elapsed = time.Since(tr.start)
	return e
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}
