// Package phase names the step of a network probe that failed or ran out
// of time, so that an alert says where to look: "connect 10.0.0.5:443:
// connection refused", "tls handshake 10.0.0.5:443: timed out after 10.0s".
package phase

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// The phases of a probe, in the order they happen.
const (
	DNS          = "dns"
	Connect      = "connect"
	StartTLS     = "starttls"
	TLSHandshake = "tls handshake"
	TTFB         = "ttfb"
	Body         = "body"
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
		return fmt.Sprintf("%s %s: stopped after %s (the check was terminated)", e.Phase, e.Addr, Seconds(e.Elapsed))
	case e.TimedOut:
		return fmt.Sprintf("%s %s: timed out after %s", e.Phase, e.Addr, Seconds(e.Elapsed))
	}
	return fmt.Sprintf("%s %s: %s", e.Phase, e.Addr, Cause(e.Err))
}

func (e *Error) Unwrap() error { return e.Err }

// Timer measures one phase.
type Timer struct {
	phase string
	addr  string
	start time.Time
}

// Start begins timing a phase against addr.
func Start(phase, addr string) Timer {
	return Timer{phase: phase, addr: addr, start: time.Now()}
}

// Elapsed is the time since the phase started.
func (t Timer) Elapsed() time.Duration { return time.Since(t.start) }

// Fail wraps err as a failure of this phase. It counts as a timeout when
// ctx ran out or the error itself is one (a read deadline, say), and as
// stopped when ctx was cancelled.
func (t Timer) Fail(ctx context.Context, err error) *Error {
	var ne net.Error
	stopped := errors.Is(ctx.Err(), context.Canceled)
	timedOut := !stopped && (ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout())
	return &Error{Phase: t.phase, Addr: t.addr, Elapsed: t.Elapsed(), TimedOut: timedOut, Stopped: stopped, Err: err}
}

// Cause strips the layers of a network error that repeat what the phase
// and address already say ("dial tcp 10.0.0.5:443: connect: connection
// refused" becomes "connection refused").
func Cause(err error) string {
	for {
		var op *net.OpError
		var sys *os.SyscallError
		var dns *net.DNSError
		switch {
		case errors.As(err, &dns):
			return dns.Err
		case errors.As(err, &op) && op.Err != nil:
			err = op.Err
			continue
		case errors.As(err, &sys) && sys.Err != nil:
			err = sys.Err
			continue
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return "connection closed by the peer"
		}
		return strings.TrimPrefix(err.Error(), "x509: ")
	}
}

// Seconds formats a duration the way messages show times: "0.41s", "10.0s".
func Seconds(d time.Duration) string {
	s := d.Seconds()
	if s < 0.995 {
		return fmt.Sprintf("%.2fs", s)
	}
	return fmt.Sprintf("%.1fs", s)
}
