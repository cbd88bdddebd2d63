package inflight

import (
	"context"
	"sync"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
)

func TestOpenKeepsBeginOrderAndForgetsEnded(t *testing.T) {
	var tr Tracker
	endA := tr.Begin("a", check.CRITICAL)
	tr.Begin("b", check.UNKNOWN)
	endC := tr.Begin("c", check.CRITICAL)
	endA()
	endA() // twice is harmless
	endC()
	open := tr.Open()
	if len(open) != 1 || open[0].What != "b" || open[0].Status != check.UNKNOWN {
		t.Fatalf("open = %+v, want only b", open)
	}
}

func TestBeginWithoutTrackerRecordsNothing(t *testing.T) {
	end := Begin(context.Background(), "x", check.CRITICAL)
	end()
	var nilTracker *Tracker
	if got := nilTracker.Open(); got != nil {
		t.Fatalf("nil tracker open = %v", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	tr := &Tracker{}
	ctx := With(context.Background(), tr)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			end := Begin(ctx, "job", check.CRITICAL)
			_ = tr.Open()
			end()
		}()
	}
	wg.Wait()
	if n := len(tr.Open()); n != 0 {
		t.Fatalf("%d items left open", n)
	}
}
