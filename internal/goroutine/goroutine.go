// Package goroutine starts the goroutines of a plugin so that a panic in
// one of them is a report, not a crash. Go can recover a panic only in the
// goroutine that panicked: a goroutine started with a bare go statement
// that panics takes the whole process down with exit code 2, which the
// agent reads as CRITICAL, and prints nothing on stdout. Every goroutine
// of a plugin starts here (or in a pool.Map job, which recovers its own),
// and its panic goes to the one handler the binary installed: cli's prints
// UNKNOWN with a message, the stack on stderr, and exits 3.
package goroutine

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"

	"github.com/frontline-sre/mackerel-frontline/internal/pool"
)

var (
	mu      sync.Mutex
	handler func(*pool.PanicError)
)

// Go runs f in a new goroutine, recovering a panic in it and passing it
// to the installed handler.
func Go(f func()) {
	go func() {
		defer func() {
			if v := recover(); v != nil {
				report(&pool.PanicError{Value: v, Stack: debug.Stack()})
			}
		}()
		f()
	}()
}

// Handle installs h as the handler of panics in goroutines started by Go
// and returns the func that puts the previous handler back. h runs in the
// goroutine that panicked; that goroutine ends when h returns.
func Handle(h func(*pool.PanicError)) (restore func()) {
	mu.Lock()
	prev := handler
	handler = h
	mu.Unlock()
	return func() {
		mu.Lock()
		handler = prev
		mu.Unlock()
	}
}

func report(p *pool.PanicError) {
	mu.Lock()
	h := handler
	mu.Unlock()
	if h == nil {
		// No runner is in charge (a tool, a test): still never exit with
		// a code the agent would read as CRITICAL.
		fmt.Fprintf(os.Stderr, "panic: %v\n\n%s", p.Value, p.Stack)
		os.Exit(3)
	}
	h(p)
}
