// Package inflight records what a run is doing at this moment, so that a
// run stopped by its deadline or by the agent can say what it was waiting
// on ("tls 10.0.0.5:443, 9.9s") instead of dying without a word.
// Work that may block (a phase of a probe, a file read, a /proc read)
// begins an item and ends it when it returns; the watchdog in cli reads
// what is still open when time is up. A probe's phases (dns, connect, tls)
// are timed here too: BeginPhase opens one as an item, and Error names the
// phase that failed or ran out of time.
package inflight

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
)

// Item is one piece of work in progress.
type Item struct {
	// What names the work and where: "tls 10.0.0.5:443",
	// "reading --ca-file /etc/ssl/private-ca.pem".
	What string
	// Status is what the run reports if the item is still open when time
	// is up: CRITICAL for a target (a hung peer is a finding about it),
	// UNKNOWN for the check's own inputs (a drill file, a CA bundle).
	Status  check.Status
	Started time.Time
	seq     uint64
}

// Tracker holds the open items of one run. Its methods are safe for
// concurrent use; a nil *Tracker records nothing.
type Tracker struct {
	mu    sync.Mutex
	seq   uint64
	items map[uint64]Item
}

// Begin opens an item and returns the func that closes it. Calling the
// func more than once is harmless.
func (t *Tracker) Begin(what string, status check.Status) (end func()) {
	if t == nil {
		return func() {}
	}
	t.mu.Lock()
	if t.items == nil {
		t.items = map[uint64]Item{}
	}
	t.seq++
	seq := t.seq
	t.items[seq] = Item{What: what, Status: status, Started: time.Now(), seq: seq}
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		delete(t.items, seq)
		t.mu.Unlock()
	}
}

// Open returns the items still open, in the order they began.
func (t *Tracker) Open() []Item {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	items := make([]Item, 0, len(t.items))
	for _, it := range t.items {
		items = append(items, it)
	}
	t.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].seq < items[j].seq })
	return items
}

type key struct{}

// With returns ctx carrying t, for Begin to find.
func With(ctx context.Context, t *Tracker) context.Context {
	return context.WithValue(ctx, key{}, t)
}

// From returns the tracker ctx carries, or nil.
func From(ctx context.Context) *Tracker {
	t, _ := ctx.Value(key{}).(*Tracker)
	return t
}

// Begin opens an item in ctx's tracker, if it has one.
func Begin(ctx context.Context, what string, status check.Status) (end func()) {
	return From(ctx).Begin(what, status)
}
