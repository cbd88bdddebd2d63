package cli

import (
	"context"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// start is when the process started, near enough: package variables are
// set before main runs. The deadline counts from here, as the agent's
// timeout does, so flag parsing, Prepare and the drill read spend it too.
var start = time.Now()

// stderr is where a panic's stack goes.
var stderr io.Writer = os.Stderr

const (
	// defaultTimeout bounds the run until the flags say otherwise; it is
	// -t's default.
	defaultTimeout = 10 * time.Second
	// overrun is how long past its deadline a run that ignores its context
	// has before the watchdog reports for it: enough for a run that does
	// honour it to assemble its own report, which says more.
	overrun = 500 * time.Millisecond
	// writeBy bounds printing: the process exits within timeout + 1 s even
	// when stdout blocks.
	writeBy = 900 * time.Millisecond
	// terminateGrace is how long a run cancelled by a signal has to report
	// itself before the watchdog reports what was still in progress.
	terminateGrace = 500 * time.Millisecond
	// listenAfter is when a run starts to listen for SIGTERM. The agent
	// sends it when the plugin's timeout_seconds (a whole number of
	// seconds) runs out, and uses what the plugin prints within the next
	// 10 s. Listening costs an OS thread and a few hundred KiB of memory
	// on every run, so a run that ends before any agent could have sent it
	// does without.
	listenAfter = 500 * time.Millisecond
)

// result is what a run prints, each stream in one write, and exits with.
type result struct {
	stdout, stderr string
	code           int
}

// job is one binary's run as the watchdog sees it.
type job interface {
	// run does the whole run: parse, prepare, probe, render. It calls
	// setTimeout as soon as the flags give the deadline.
	run(ctx context.Context, setTimeout func(time.Duration)) result
	// expired reports a run the watchdog ended: its deadline passed, a
	// signal's grace did, or it passed the memory cap. The findings say
	// which, naming the work still in progress.
	expired(findings []check.Finding) result
	// panicked reports a panic in any goroutine of the run.
	panicked(p *goroutine.PanicError) result
}

// supervise runs j in a goroutine and returns its exit code when it
// reports, or when the deadline (start + timeout + overrun) or a signal's
// grace passes, whichever comes first. A run that ignores its context (a
// goroutine stuck in CPU work, a read blocked in the kernel) cannot delay
// the exit: the caller exits the process, and it with it. Only the
// result chosen here is ever printed.
func supervise(stdout, stderr io.Writer, j job) int {
	defer captureLog(stderr)()
	tracker := &inflight.Tracker{}
	ctx, terminate := context.WithCancelCause(inflight.With(context.Background(), tracker))
	defer terminate(nil)

	timeouts := make(chan time.Duration, 1)
	done := make(chan result, 1)
	panics := make(chan *goroutine.PanicError, 1)
	defer goroutine.Handle(func(p *goroutine.PanicError) {
		select {
		case panics <- p:
		default: // the first panic is reported
		}
	})()
	goroutine.Go(func() {
		done <- j.run(ctx, func(d time.Duration) { timeouts <- d })
	})
	overMemory, stopWatch := watchMemory(memoryCap)
	defer stopWatch()

	timeout := defaultTimeout
	hard := time.NewTimer(time.Until(start.Add(timeout + overrun)))
	defer hard.Stop()
	listen := time.NewTimer(time.Until(start.Add(listenAfter)))
	defer listen.Stop()
	var (
		signals chan os.Signal
		grace   <-chan time.Time
		r       result
	)
wait:
	for {
		select {
		case timeout = <-timeouts:
			hard.Reset(time.Until(start.Add(timeout + overrun)))
		case r = <-done:
			break wait
		case p := <-panics:
			r = j.panicked(p)
			break wait
		case <-listen.C:
			signals = make(chan os.Signal, 1)
			signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
			defer signal.Stop(signals)
		case <-signals:
			terminate(inflight.ErrTerminated)
			signals = nil
			grace = time.After(terminateGrace)
		case <-grace:
			r = j.expired(stillOpen(tracker.Open(), true, timeout))
			break wait
		case <-hard.C:
			r = j.expired(stillOpen(tracker.Open(), false, timeout))
			break wait
		case <-overMemory:
			r = j.expired(outOfMemory(tracker.Open(), memoryCap))
			break wait
		}
	}
	// The one place every text of the run passes on its way out: the
	// message, verbose lines, usage errors and stacks alike.
	r.stdout = secret.Process().Mask(r.stdout)
	r.stderr = secret.Process().Mask(r.stderr)
	write(stdout, stderr, r, start.Add(timeout+writeBy))
	return r.code
}

// maxLogLines and maxLogRunes bound what the standard logger may write
// in a run: a server that keeps sending unasked-for bytes must not flood
// the agent's log.
const (
	maxLogLines = 5
	maxLogRunes = 300
)

// logLines takes what the standard logger is given during a run.
// net/http's Transport logs there the bytes a server sent on a connection
// no request was waiting on ("Unsolicited response received on idle HTTP
// channel starting with ..."), quoting them whole, request echo and all.
// Each entry is masked, escaped and cut like any text from a server
// before it reaches stderr.
type logLines struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	switch {
	case l.n <= maxLogLines:
		line := secret.Process().Mask(strings.TrimSuffix(string(p), "\n"))
		io.WriteString(l.w, textfmt.Shorten(textfmt.Sanitize(line), maxLogRunes)+"\n")
	case l.n == maxLogLines+1:
		io.WriteString(l.w, "(more log lines left out)\n")
	}
	return len(p), nil
}

// captureLog sends the standard logger to logLines on w until restore.
func captureLog(w io.Writer) (restore func()) {
	out, flags, prefix := log.Writer(), log.Flags(), log.Prefix()
	log.SetOutput(&logLines{w: w})
	log.SetFlags(0)
	log.SetPrefix("")
	return func() {
		log.SetOutput(out)
		log.SetFlags(flags)
		log.SetPrefix(prefix)
	}
}

// write prints r, giving up at by: a stdout nobody reads must not keep
// the process past its deadline.
func write(stdout, stderr io.Writer, r result, by time.Time) {
	wrote := make(chan struct{})
	goroutine.Go(func() {
		defer close(wrote)
		if r.stdout != "" {
			io.WriteString(stdout, r.stdout)
		}
		if r.stderr != "" {
			io.WriteString(stderr, r.stderr)
		}
	})
	t := time.NewTimer(max(time.Until(by), 100*time.Millisecond))
	defer t.Stop()
	select {
	case <-wrote:
	case <-t.C:
	}
}
