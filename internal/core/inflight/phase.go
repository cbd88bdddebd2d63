package inflight

// A phase is one step of a network probe. Error names the one that failed
// or ran out of time, so that an alert says where to look: "connect
// 10.0.0.5:443: connection refused", "tls 10.0.0.5:443: timed out after
// 10.0s".

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// ErrTerminated is the cause a run's context is cancelled with when the
// agent (or a user) sends SIGTERM, SIGINT or SIGHUP. Any other
// cancellation (a losing connection attempt, say) is not "terminated".
var ErrTerminated = errors.New("the check was terminated")

// The phases of a probe, in the order they happen.
const (
	DNS      = "dns"
	Connect  = "connect"
	StartTLS = "starttls"
	TLS      = "tls"
	TTFB     = "ttfb"
	Body     = "body"
)

// Error is a failure in one phase of a probe.
type Error struct {
	Phase    string
	Addr     string // the name resolved, or the address talked to
	Elapsed  time.Duration
	TimedOut bool
	// Stopped means the run was cancelled (the agent's SIGTERM) before
	// its deadline.
	Stopped bool
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Stopped:
		return fmt.Sprintf("%s %s: stopped after %s (the check was terminated)", e.Phase, e.Addr, textfmt.Seconds(e.Elapsed))
	case e.TimedOut:
		return fmt.Sprintf("%s %s: timed out after %s", e.Phase, e.Addr, textfmt.Seconds(e.Elapsed))
	}
	cause := Cause(e.Err)
	if e.Phase == TLS {
		// crypto/tls starts its errors with the phase's name.
		cause = strings.TrimPrefix(cause, "tls: ")
	}
	return fmt.Sprintf("%s %s: %s", e.Phase, e.Addr, cause)
}

func (e *Error) Unwrap() error { return e.Err }

// Timer measures one phase.
type Timer struct {
	phase string
	addr  string
	start time.Time
	end   func()
}

// StartPhase begins timing a phase against addr.
func StartPhase(phase, addr string) Timer {
	return Timer{phase: phase, addr: addr, start: time.Now(), end: func() {}}
}

// BeginPhase is StartPhase, and also records the phase as work in
// progress in ctx's tracker, so that a run stopped while it is open names
// it. End or Fail closes it.
func BeginPhase(ctx context.Context, phase, addr string) Timer {
	t := StartPhase(phase, addr)
	t.end = Begin(ctx, phase+" "+addr, check.CRITICAL)
	return t
}

// End closes the phase and returns how long it took.
func (t Timer) End() time.Duration {
	if t.end != nil {
		t.end()
	}
	return t.Elapsed()
}

// Elapsed is the time since the phase started.
func (t Timer) Elapsed() time.Duration { return time.Since(t.start) }

// Fail wraps err as a failure of this phase. It counts as a timeout when
// ctx ran out or the error itself is one (a read deadline, say), and as
// stopped when ctx was cancelled with ErrTerminated.
func (t Timer) Fail(ctx context.Context, err error) *Error {
	t.End()
	var ne net.Error
	stopped := errors.Is(context.Cause(ctx), ErrTerminated)
	// Cancelled for another reason (a losing connection attempt): the
	// deadline errors that the cancellation provoked are not timeouts.
	cancelled := errors.Is(ctx.Err(), context.Canceled)
	timedOut := !stopped && !cancelled && (ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout())
	return &Error{Phase: t.phase, Addr: t.addr, Elapsed: t.Elapsed(), TimedOut: timedOut, Stopped: stopped, Err: err}
}

// Cause is err's text without the layers of a network error that repeat
// what the phase and address already say ("dial tcp 10.0.0.5:443: connect:
// connection refused" becomes "connection refused"), keeping the context a
// probe added around them ("smtp: reading EHLO: connection closed by the
// peer").
func Cause(err error) string {
	msg := err.Error()
	// Outermost first: each layer's text contains the next one's.
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		msg = strings.Replace(msg, op.Error(), op.Err.Error(), 1)
	}
	var sys *os.SyscallError
	if errors.As(err, &sys) && sys.Err != nil {
		msg = strings.Replace(msg, sys.Error(), sys.Err.Error(), 1)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		msg = strings.Replace(msg, dns.Error(), dns.Err, 1)
	}
	for _, eof := range []error{io.ErrUnexpectedEOF, io.EOF} {
		if errors.Is(err, eof) && strings.HasSuffix(msg, eof.Error()) {
			msg = strings.TrimSuffix(msg, eof.Error()) + "connection closed by the peer"
			break
		}
	}
	return strings.TrimPrefix(msg, "x509: ")
}
