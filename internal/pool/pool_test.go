package pool

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
			}, func(int, *PanicError) int { return -1 })
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
			}, func(int, *PanicError) struct{} { return struct{}{} })
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
			}, func(i int, err *PanicError) string {
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
		}, func(int, *PanicError) bool { return false })
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
