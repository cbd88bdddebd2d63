package appmetrics

import "github.com/mackerelio/go-osstat/cpu"

func hostCPU() (*HostCPU, error) {
	s, err := cpu.Get()
	if err != nil {
		return nil, err
	}
	return &HostCPU{Total: s.Total, Idle: s.Idle}, nil
}
