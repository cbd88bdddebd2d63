//go:build !unix

package goroutine

func defaultWorkers() int { return 1024 }
