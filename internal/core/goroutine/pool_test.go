package goroutine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMapOrder(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, workers int
	}{
		{"none", 0, 4},
		{"one", 1, 4},
		{"fewer jobs than workers", 3, 8},
		{"more jobs than workers", 50, 4},
		{"one worker", 10, 1},
		{"default workers", 100, 0},
		{"negative workers mean the default", 5, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Map(context.Background(), tc.n, tc.workers, func(_ context.Context, i int) int {
				// Later jobs finish first: order must not follow completion.
				time.Sleep(time.Duration(tc.n-i) * 100 * time.Microsecond)
				return i * i
			}, func(int, error) int { return -1 })
			if len(got) != tc.n {
				t.Fatalf("Map returned %d results, want %d", len(got), tc.n)
			}
			for i, v := range got {
				if v != i*i {
					t.Errorf("result %d = %d, want %d", i, v, i*i)
				}
			}
		})
	}
}

// Map never runs more than workers jobs at once, and does run that many.
func TestMapBound(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{{20, 1}, {20, 4}, {3, 8}, {100, 32}} {
		t.Run("", func(t *testing.T) {
			want := min(tc.workers, tc.n)
			var running, peak atomic.Int32
			full := make(chan struct{}) // closed when want jobs run at once
			var closed atomic.Bool
			Map(context.Background(), tc.n, tc.workers, func(context.Context, int) struct{} {
				now := running.Add(1)
				defer running.Add(-1)
				for {
					p := peak.Load()
					if now <= p || peak.CompareAndSwap(p, now) {
						break
					}
				}
				if now == int32(want) && closed.CompareAndSwap(false, true) {
					close(full)
				}
				// The first jobs wait for each other, so that the peak
				// is reached whatever the scheduler does.
				select {
				case <-full:
				case <-time.After(10 * time.Second):
					t.Errorf("%d jobs never ran at once", want)
				}
				return struct{}{}
			}, func(int, error) struct{} { return struct{}{} })
			if got := peak.Load(); got != int32(want) {
				t.Errorf("Map(n=%d, workers=%d) ran %d jobs at once, want %d", tc.n, tc.workers, got, want)
			}
		})
	}
}

func TestMapPanic(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, workers int
		panics     []int
		want       []string
	}{
		{"some of many", 6, 2, []int{1, 4}, []string{"ok", "internal error: job 1 broke", "ok", "ok", "internal error: job 4 broke", "ok"}},
		{"the only one", 1, 4, []int{0}, []string{"internal error: job 0 broke"}},
		{"all", 3, 3, []int{0, 1, 2}, []string{"internal error: job 0 broke", "internal error: job 1 broke", "internal error: job 2 broke"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var panicked []int
			got := Map(context.Background(), tc.n, tc.workers, func(_ context.Context, i int) string {
				if slices.Contains(tc.panics, i) {
					panic(fmt.Sprintf("job %d broke", i))
				}
				return "ok"
			}, func(i int, failure error) string {
				err, ok := failure.(*PanicError)
				if !ok {
					t.Fatalf("job %d failed with %T, want *PanicError", i, failure)
				}
				mu.Lock() // onPanic runs in the jobs' goroutines
				panicked = append(panicked, i)
				mu.Unlock()
				if !strings.Contains(string(err.Stack), "pool_test.go") {
					t.Errorf("job %d: the stack does not show where it panicked:\n%s", i, err.Stack)
				}
				return err.Error()
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("Map = %q, want %q", got, tc.want)
			}
			slices.Sort(panicked)
			if !slices.Equal(panicked, tc.panics) {
				t.Errorf("onPanic called for jobs %v, want %v", panicked, tc.panics)
			}
		})
	}
}

func TestMapContext(t *testing.T) {
	type key struct{}
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "run"), time.Minute)
	defer cancel()
	want, _ := ctx.Deadline()
	for _, n := range []int{1, 3} {
		got := Map(ctx, n, 2, func(ctx context.Context, i int) bool {
			d, ok := ctx.Deadline()
			return ctx.Value(key{}) == "run" && ok && d.Equal(want)
		}, func(int, error) bool { return false })
		for i, ok := range got {
			if !ok {
				t.Errorf("n=%d: job %d did not get the caller's context", n, i)
			}
		}
	}
}

func TestPanicError(t *testing.T) {
	err := &PanicError{Value: 42}
	if got, want := err.Error(), "internal error: 42"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// Map returns shortly after ctx ends even when a job never does, and says
// which jobs were still running and which never started.
func TestMapGivesUpAtTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	stuck := make(chan struct{})
	defer close(stuck) // lets the abandoned jobs go at the end of the test
	start := time.Now()
	got := Map(ctx, 4, 2, func(ctx context.Context, i int) string {
		if i < 2 {
			<-stuck // work that does not watch ctx
		}
		return "done"
	}, func(i int, err error) string {
		if _, ok := err.(*Unfinished); !ok {
			t.Errorf("job %d failed with %T, want *Unfinished", i, err)
		}
		return err.Error()
	})
	// The stuck jobs never return: a Map that waited for them would not
	// return at all. The bound only allows for a starved scheduler.
	if elapsed := time.Since(start); elapsed > 20*(100*time.Millisecond+Grace) {
		t.Errorf("Map returned after %s", elapsed)
	}
	want := []string{
		"still running when time ran out", "still running when time ran out",
		"not started: time ran out before its turn", "not started: time ran out before its turn",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Map = %q, want %q", got, want)
	}
}

// A single job is abandoned at the deadline too.
func TestMapOneStuckJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	stuck := make(chan struct{})
	defer close(stuck)
	got := Map(ctx, 1, 0, func(context.Context, int) string { <-stuck; return "done" },
		func(_ int, err error) string { return err.Error() })
	if got[0] != "still running when time ran out" {
		t.Errorf("Map = %q", got)
	}
}

// Jobs that return when ctx ends keep their own results.
func TestMapJobsThatHonourTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	got := Map(ctx, 3, 0, func(ctx context.Context, i int) string { <-ctx.Done(); return "timed out" },
		func(_ int, err error) string { return err.Error() })
	if !slices.Equal(got, []string{"timed out", "timed out", "timed out"}) {
		t.Errorf("Map = %q", got)
	}
}

func TestWorkersFor(t *testing.T) {
	for _, tc := range []struct {
		files uint64
		want  int
	}{
		{0, 64}, {127, 64}, {1024, 960}, {524288, 4096},
	} {
		if got := workersFor(tc.files); got != tc.want {
			t.Errorf("workersFor(%d) = %d, want %d", tc.files, got, tc.want)
		}
	}
	if DefaultWorkers < 64 {
		t.Errorf("DefaultWorkers = %d", DefaultWorkers)
	}
}
