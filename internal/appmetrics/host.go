package appmetrics

import (
	"context"
	"time"

	"github.com/mackerelio/go-osstat/memory"
)

// hostInterval is how far apart the two CPU samples of a run are when no
// state holds an earlier one.
const hostInterval = 200 * time.Millisecond

type hostResult struct {
	cpu, mem     float64
	cpuOK, memOK bool
	counters     *HostCPU
	err          error
}

// sampleHost reads the host's memory and CPU use. CPU use needs two
// samples: the previous run's, from the state, when there is one from
// since the host booted; otherwise two taken hostInterval apart.
func sampleHost(ctx context.Context, prev *State) *hostResult {
	r := &hostResult{}
	if m, err := memory.Get(); err != nil {
		r.err = err
	} else if m.Total > 0 {
		r.mem, r.memOK = round(float64(m.Used)/float64(m.Total)*100, 2), true
	}
	now, err := hostCPU()
	if err != nil {
		r.err = err
		return r
	}
	before := (*HostCPU)(nil)
	if prev != nil && prev.Host != nil && prev.Host.Total < now.Total && prev.Host.Idle <= now.Idle {
		before = prev.Host
	} else {
		t := time.NewTimer(hostInterval)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return r
		case <-t.C:
		}
		before = now
		if now, err = hostCPU(); err != nil {
			r.err = err
			return r
		}
	}
	r.counters = now
	if total := now.Total - before.Total; total > 0 {
		idle := now.Idle - before.Idle
		r.cpu, r.cpuOK = round(100*(1-float64(idle)/float64(total)), 2), true
	}
	return r
}
