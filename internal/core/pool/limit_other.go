//go:build !unix

package pool

func defaultWorkers() int { return 1024 }
