package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
)

// Metric is a metric plugin: its flags (a go-flags struct embedding
// CommonOptions) and what it does with them. Its stdout carries metric
// lines only, so everything else it has to say goes to stderr.
type Metric interface {
	Options() *CommonOptions
	// Prepare is as Check's: flags and the files they name, under ctx.
	Prepare(ctx context.Context, args []string) error
	// Run measures within ctx's deadline and writes metric lines to w, and
	// only to w: a line written anywhere else (a library that prints to
	// os.Stdout itself) would bypass the buffer that keeps a run from
	// printing half a line past its deadline. An
	// error is for a run that failed as a whole: a target that fails
	// emits what it can and the run goes on.
	Run(ctx context.Context, w io.Writer) error
}

// RunMetric parses args into m, runs it and prints its metric lines to
// stdout in one write when the run has returned. Usage errors go to
// stderr with exit 3 and nothing on stdout; --help and --version go to
// stdout with exit 0. A run that fails, runs out of time or is terminated
// prints only the complete lines it had written, never half of one, with
// the reason on stderr, and exits 3; a panic prints nothing on stdout.
// The agent ignores a metric plugin's exit code: it reads the lines.
func RunMetric(p Plugin, m Metric, args []string, stdout, stderr io.Writer) int {
	return supervise(stdout, stderr, &metricRun{p: p, m: m, args: args})
}

type metricRun struct {
	p    Plugin
	m    Metric
	args []string
	out  lineBuffer
}

func (r *metricRun) usage(err error) result {
	return result{stderr: fmt.Sprintf("%s UNKNOWN: %s\n", r.tag(), oneLine(err.Error())), code: int(check.UNKNOWN)}
}

func (r *metricRun) tag() string {
	if r.p.Tag == "" {
		return r.p.Name
	}
	return r.p.Tag
}

func (r *metricRun) run(ctx context.Context, setTimeout func(time.Duration)) result {
	ctx, cancel, early := prepare(ctx, r.p, r.m, r.m.Prepare, r.args, setTimeout, r.usage)
	defer cancel()
	if early != nil {
		return *early
	}
	if err := r.m.Run(ctx, &r.out); err != nil {
		return result{stdout: r.out.take(false), stderr: fmt.Sprintf("%s: %s\n", r.p.Name, oneLine(err.Error())), code: int(check.UNKNOWN)}
	}
	return result{stdout: r.out.take(true)}
}

func (r *metricRun) expired(findings []check.Finding) result {
	var b strings.Builder
	for _, f := range findings {
		fmt.Fprintf(&b, "%s: %s\n", r.p.Name, f.Text)
	}
	return result{stdout: r.out.take(false), stderr: b.String(), code: int(check.UNKNOWN)}
}

func (r *metricRun) panicked(p *goroutine.PanicError) result {
	r.out.take(false)
	return result{stderr: fmt.Sprintf("%s: internal error: %s (this is a bug; please report it with the command line)\npanic: %v\n\n%s",
		r.p.Name, oneLine(fmt.Sprint(p.Value)), p.Value, p.Stack), code: int(check.UNKNOWN)}
}

// errLate is what a write gets once the output was taken: the run is
// over, and nothing written after it may reach stdout.
var errLate = errors.New("metric output written after the run ended")

// lineBuffer collects a metric run's output. A run that the watchdog ends
// may still be writing from another goroutine: take freezes the buffer so
// that what was taken is all that is ever printed.
type lineBuffer struct {
	mu    sync.Mutex
	buf   []byte
	taken bool
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.taken {
		return 0, errLate
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// take returns what was written, all of it or only its complete lines,
// and refuses any later write.
func (b *lineBuffer) take(all bool) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.taken = true
	data := b.buf
	if !all {
		data = data[:bytes.LastIndexByte(data, '\n')+1]
	}
	return string(data)
}
