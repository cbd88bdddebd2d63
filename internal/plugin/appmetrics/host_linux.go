package appmetrics

import "github.com/mackerelio/go-osstat/cpu"

// hostCPU counts iowait as idle, as top does: a processor waiting for a
// disk could run something else.
func hostCPU() (*hostCPUTimes, error) {
	s, err := cpu.Get()
	if err != nil {
		return nil, err
	}
	return &hostCPUTimes{Total: s.Total, Idle: s.Idle + s.Iowait}, nil
}
