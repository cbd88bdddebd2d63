package cli

import (
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
)

const (
	// memoryCap is the heap a run may hold. Some inputs ask for memory
	// without bound: a jq expression that doubles a string forty times,
	// a gzip body that inflates a thousandfold, JSON of a million tiny
	// values. No library here has an allocation hook, so the watchdog
	// reads the heap and ends the run, as it does at the deadline, naming
	// what was in progress. Under it, the process stays well within the
	// 256 MiB a host's monitoring may take.
	memoryCap = 64 << 20
	// memorySoft is where the garbage collector starts to work harder, so
	// that garbage alone does not carry a run to memoryCap: the heap's
	// count includes objects not yet swept, and forcing a collection to
	// tell them apart would wait on the very copy that is running away
	// (a large memmove holds off the stop-the-world).
	memorySoft = 48 << 20
	// memoryPoll is how often the heap is read. A large allocation counts
	// as soon as it is made, before its pages are written, so the run is
	// ended before the memory is touched.
	memoryPoll = 2 * time.Millisecond
	// memoryAfter is when watching starts: most runs are over by then,
	// and no input builds a heap of memoryCap sooner.
	memoryAfter = 20 * time.Millisecond
)

// heapMetric counts the bytes of heap objects, live and not yet swept.
const heapMetric = "/memory/classes/heap/objects:bytes"

// watchMemory returns a channel that receives once the heap passes
// limit, and the func that stops watching.
func watchMemory(limit uint64) (<-chan uint64, func()) {
	over := make(chan uint64, 1)
	stop := make(chan struct{})
	goroutine.Go(func() {
		wait := time.NewTimer(memoryAfter)
		defer wait.Stop()
		select {
		case <-stop:
			return
		case <-wait.C:
		}
		// Only ever lowered: mackerel-plugin-app sets a lower limit to
		// keep its heap small, and a lower GOMEMLIMIT is kept too.
		if debug.SetMemoryLimit(-1) > memorySoft {
			debug.SetMemoryLimit(memorySoft)
		}
		sample := []metrics.Sample{{Name: heapMetric}}
		t := time.NewTicker(memoryPoll)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return // not this runtime's metric: nothing to watch
			}
			if used := sample[0].Value.Uint64(); used > limit {
				over <- used
				return
			}
		}
	})
	return over, func() { close(stop) }
}

// outOfMemory reports a run ended at the memory cap: what was in
// progress, each with the status its item asked for (a body or a jq
// expression is a finding about the target, a file of the check's own a
// usage problem).
func outOfMemory(open []inflight.Item, limit uint64) []check.Finding {
	why := fmt.Sprintf("stopped at the memory cap of %d MiB: the input needs more than a check may take", limit>>20)
	if len(open) == 0 {
		return []check.Finding{{Status: check.UNKNOWN, Text: why}}
	}
	// The work begun last is the most precise name for what was
	// running: the jq expression rather than the judging of the
	// response it is part of.
	it := open[len(open)-1]
	return []check.Finding{{Status: it.Status, Text: it.What + ": " + why}}
}
