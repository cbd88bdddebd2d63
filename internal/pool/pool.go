// Package pool runs a check's probes concurrently, a bounded number at a
// time, and keeps their results in the order the targets were given.
package pool

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// DefaultWorkers bounds how many probes run at once: enough for the 50
// endpoints of a large check to wait out their round trips together,
// few enough to stay far from a host's file descriptor limit (1024).
const DefaultWorkers = 64

// PanicError is what a job that panicked returns instead of its result.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error: %v", e.Value) }

// Map calls job for every index in [0, n) with at most workers running at
// once, and returns the results in index order. A job that panics yields
// the result of onPanic instead of taking the process down, because a
// goroutine's panic cannot be recovered anywhere else. Map returns when
// every job has returned: jobs must honour ctx.
func Map[T any](ctx context.Context, n, workers int, job func(ctx context.Context, i int) T, onPanic func(i int, err *PanicError) T) []T {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	results := make([]T, n)
	if n == 1 {
		// One target, the common case: no goroutine to start, and no OS
		// thread for the runtime to add while it waits.
		func() {
			defer func() {
				if v := recover(); v != nil {
					results[0] = onPanic(0, &PanicError{Value: v, Stack: debug.Stack()})
				}
			}()
			results[0] = job(ctx, 0)
		}()
		return results
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer func() {
				if v := recover(); v != nil {
					results[i] = onPanic(i, &PanicError{Value: v, Stack: debug.Stack()})
				}
			}()
			results[i] = job(ctx, i)
		}()
	}
	wg.Wait()
	return results
}
