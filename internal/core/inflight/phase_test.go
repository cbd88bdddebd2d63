package inflight

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *Error
		want string
	}{
		{
			"timeout",
			&Error{Phase: TLS, Addr: "127.0.0.1:1", Elapsed: 2 * time.Second, TimedOut: true, Err: context.DeadlineExceeded},
			"tls 127.0.0.1:1: timed out after 2.0s",
		},
		{
			"timeout under a second",
			&Error{Phase: Connect, Addr: "[::1]:443", Elapsed: 410 * time.Millisecond, TimedOut: true},
			"connect [::1]:443: timed out after 0.41s",
		},
		{
			"stopped",
			&Error{Phase: TLS, Addr: "127.0.0.1:1", Elapsed: 3 * time.Second, Stopped: true, Err: context.Canceled},
			"tls 127.0.0.1:1: stopped after 3.0s (the check was terminated)",
		},
		{
			"cause",
			&Error{Phase: StartTLS, Addr: "127.0.0.1:25", Err: errors.New("smtp: server does not offer STARTTLS")},
			"starttls 127.0.0.1:25: smtp: server does not offer STARTTLS",
		},
		{
			"cause with layers",
			&Error{Phase: Connect, Addr: "10.0.0.5:443", Err: &net.OpError{Op: "dial", Net: "tcp",
				Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}},
			"connect 10.0.0.5:443: connection refused",
		},
		{
			"dns",
			&Error{Phase: DNS, Addr: "nowhere.invalid", Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}},
			"dns nowhere.invalid: no such host",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	err := error(&Error{Phase: Body, Addr: "x", Err: fmt.Errorf("reading: %w", io.ErrUnexpectedEOF)})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) = false, want true", err)
	}
}

func TestCause(t *testing.T) {
	conn, refused := net.Dial("tcp", testutil.ClosedAddr(t))
	if refused == nil {
		conn.Close()
		t.Fatal("a dial to a closed port succeeded")
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"refused dial", refused, "connection refused"},
		{"wrapped refused dial keeps the context", fmt.Errorf("smtp: %w", refused), "smtp: connection refused"},
		{"syscall error alone", os.NewSyscallError("read", syscall.ECONNRESET), "connection reset by peer"},
		{"dns", &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}, "no such host"},
		{"dns in an OpError", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "x"}}, "server misbehaving"},
		{"eof", io.EOF, "connection closed by the peer"},
		{"unexpected eof keeps the step", fmt.Errorf("reading greeting: %w", io.ErrUnexpectedEOF), "reading greeting: connection closed by the peer"},
		{"eof in an OpError", &net.OpError{Op: "read", Net: "tcp", Err: io.EOF}, "connection closed by the peer"},
		{"x509 prefix", errors.New("x509: certificate signed by unknown authority"), "certificate signed by unknown authority"},
		{"plain", errors.New("the server presented no certificate"), "the server presented no certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Cause(tc.err); got != tc.want {
				t.Errorf("Cause(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

// timeoutErr is a net.Error that says it is a timeout.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestTimerFail(t *testing.T) {
	done, terminate := context.WithCancelCause(context.Background())
	terminate(ErrTerminated)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	live := context.Background()
	for _, tc := range []struct {
		name              string
		ctx               context.Context
		err               error
		timedOut, stopped bool
	}{
		{"live context, plain error", live, errors.New("refused"), false, false},
		{"live context, eof", live, io.EOF, false, false},
		{"expired context", expired, errors.New("use of closed network connection"), true, false},
		{"deadline exceeded", live, fmt.Errorf("dial: %w", context.DeadlineExceeded), true, false},
		{"read deadline", live, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, true, false},
		{"net.Error timeout", live, fmt.Errorf("handshake: %w", timeoutErr{}), true, false},
		// A terminated run (the agent's SIGTERM) is stopped, not timed out,
		// whatever the I/O it interrupted says.
		{"cancelled context", done, errors.New("use of closed network connection"), false, true},
		{"cancelled context, deadline error", done, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, false, true},
		// Cancelled for any other reason: neither stopped nor timed out.
		{"cancelled, not terminated", cancelled, errors.New("use of closed network connection"), false, false},
		{"cancelled, not terminated, deadline error", cancelled, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			timer := StartPhase(TLS, "127.0.0.1:1")
			e := timer.Fail(tc.ctx, tc.err)
			if e.TimedOut != tc.timedOut || e.Stopped != tc.stopped {
				t.Errorf("TimedOut, Stopped = %v, %v; want %v, %v", e.TimedOut, e.Stopped, tc.timedOut, tc.stopped)
			}
			if e.Phase != TLS || e.Addr != "127.0.0.1:1" || e.Err != tc.err {
				t.Errorf("Fail = %+v, want phase, address and error kept", e)
			}
			if e.Elapsed < 0 || e.Elapsed > time.Minute {
				t.Errorf("Elapsed = %v", e.Elapsed)
			}
		})
	}
}

func TestTimerElapsed(t *testing.T) {
	timer := StartPhase(Connect, "x")
	time.Sleep(20 * time.Millisecond)
	if e := timer.Fail(context.Background(), io.EOF); e.Elapsed < 20*time.Millisecond {
		t.Errorf("Elapsed = %v after sleeping 20ms", e.Elapsed)
	}
}
