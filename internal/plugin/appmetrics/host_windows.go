package appmetrics

import "github.com/mackerelio/go-osstat/cpu"

func hostCPU() (*hostCPUTimes, error) {
	s, err := cpu.Get()
	if err != nil {
		return nil, err
	}
	return &hostCPUTimes{Total: s.Total, Idle: s.Idle}, nil
}
