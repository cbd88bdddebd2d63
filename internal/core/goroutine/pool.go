package goroutine

// Map runs a check's jobs concurrently, a bounded number at a time, and
// keeps their results in the order the targets were given. It returns when
// the jobs are done or, whatever they do, shortly after the run's
// deadline.

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// DefaultWorkers bounds how many jobs run at once. A job holds one file
// descriptor (a connection, a file), and Go raises the soft limit on open
// files to the hard one when a program starts, so the bound follows that
// limit: cheap work (a connect, a file read) must never queue behind
// hundreds of peers that accept and then stall until the deadline.
var DefaultWorkers = defaultWorkers()

// reservedFiles are descriptors kept for the process itself: standard
// streams, the resolver's sockets, certificate files, the runtime's own.
const reservedFiles = 64

func workersFor(openFiles uint64) int {
	switch {
	case openFiles < 2*reservedFiles:
		return reservedFiles
	case openFiles-reservedFiles > 4096:
		return 4096 // goroutines are cheap, but not free
	}
	return int(openFiles - reservedFiles)
}

// Grace is how long after ctx ends Map waits for jobs to return their own
// results (a phase that timed out, named by the job itself) before it
// gives up on them.
const Grace = 150 * time.Millisecond

// PanicError is what a job that panicked yields instead of its result.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error: %v", e.Value) }

// Unfinished is what a job yields when Map stopped waiting for it.
type Unfinished struct {
	// Started is false for a job that never got its turn before ctx ended.
	Started bool
}

func (e *Unfinished) Error() string {
	if e.Started {
		return "still running when time ran out"
	}
	return "not started: time ran out before its turn"
}

// Map calls job for every index in [0, n) with at most workers running at
// once, and returns the results in index order.
//
// A job that cannot give its result yields failed's instead: err is a
// *PanicError when it panicked (a goroutine's panic cannot be recovered
// anywhere else), or an *Unfinished when it had not returned by Grace after
// ctx ended, or had not started by then. Map returns at the latest then:
// a job stuck in work that does not watch ctx (CPU, a blocking system
// call) is abandoned, and its late result discarded. failed may run on
// the jobs' goroutines as well as on the caller's.
func Map[T any](ctx context.Context, n, workers int, job func(ctx context.Context, i int) T, failed func(i int, err error) T) []T {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	results := make([]T, n)
	call := func(i int) (v T) {
		defer func() {
			if p := recover(); p != nil {
				v = failed(i, &PanicError{Value: p, Stack: debug.Stack()})
			}
		}()
		return job(ctx, i)
	}
	if n == 0 {
		return results
	}
	if n == 1 && ctx.Done() == nil {
		// One job that nothing can cancel: no goroutine to start.
		results[0] = call(0)
		return results
	}

	const (
		pending = iota
		started
		done
	)
	var (
		mu      sync.Mutex
		state   = make([]int8, n)
		left    = n
		gaveUp  bool
		allDone = make(chan struct{})
		stop    = make(chan struct{})
	)
	go func() { // the launcher
		sem := make(chan struct{}, workers)
		for i := range n {
			select {
			case sem <- struct{}{}:
			case <-stop:
				return
			}
			mu.Lock()
			// A job started after ctx ended would only report a phase
			// that "timed out after 0.00s": leave it unstarted.
			if gaveUp || ctx.Err() != nil {
				mu.Unlock()
				return
			}
			state[i] = started
			mu.Unlock()
			go func() {
				defer func() { <-sem }()
				v := call(i)
				mu.Lock()
				defer mu.Unlock()
				if gaveUp {
					return
				}
				results[i], state[i] = v, done
				if left--; left == 0 {
					close(allDone)
				}
			}()
		}
	}()

	select {
	case <-allDone:
	case <-ctx.Done():
		grace := time.NewTimer(Grace)
		select {
		case <-allDone:
		case <-grace.C:
		}
		grace.Stop()
	}
	mu.Lock()
	gaveUp = true
	close(stop)
	unfinished := make(map[int]bool)
	for i, s := range state {
		if s != done {
			unfinished[i] = s == started
		}
	}
	mu.Unlock()
	for i, wasStarted := range unfinished {
		results[i] = failed(i, &Unfinished{Started: wasStarted})
	}
	return results
}
