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
	counters     *hostCPUTimes
	err          error
}

// sampleHost reads the host's memory and CPU use. CPU use needs two
// samples: the previous run's, from the state, when there is one from
// since the host booted; otherwise two taken hostInterval apart.
func sampleHost(ctx context.Context, prev *runState) *hostResult {
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
	before := (*hostCPUTimes)(nil)
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
	r.cpu, r.cpuOK = cpuUsed(before, now)
	return r
}

// cpuUsed is the share of the processor time between two samples that was
// not idle, in %. Linux may count iowait backwards (proc(5)), so the idle
// time can shrink between samples or outgrow the total: the figure is
// kept within 0-100 rather than wrapping around.
func cpuUsed(before, now *hostCPUTimes) (float64, bool) {
	if now.Total <= before.Total {
		return 0, false
	}
	total := float64(now.Total - before.Total)
	idle := float64(now.Idle) - float64(before.Idle)
	return round(100*(1-min(max(idle, 0), total)/total), 2), true
}
