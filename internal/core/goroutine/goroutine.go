// Package goroutine starts the goroutines of a plugin so that a panic in
// one of them is a report, not a crash. Go can recover a panic only in the
// goroutine that panicked: a goroutine started with a bare go statement
// that panics takes the whole process down with exit code 2, which the
// agent reads as CRITICAL, and prints nothing on stdout. Every goroutine
// of a plugin starts here (or in a Map job, which recovers its own),
// and its panic goes to the one handler the binary installed: cli's prints
// UNKNOWN with a message, the stack on stderr, and exits 3.
package goroutine

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
)

var (
	mu      sync.Mutex
	handler func(*PanicError)
)

// Go runs f in a new goroutine, recovering a panic in it and passing it
// to the installed handler.
func Go(f func()) {
	go func() {
		defer func() {
			if v := recover(); v != nil {
				report(&PanicError{Value: v, Stack: debug.Stack()})
			}
		}()
		f()
	}()
}

// Recover reports a panic of the goroutine it runs on to the installed
// handler, as Go does, and stops it there. It is for callbacks that run on
// goroutines other code starts: net/http's Transport dials and does TLS
// handshakes (and so calls a tls.Config's VerifyConnection) on goroutines
// of its own, where a panic would crash the plugin with exit 2 and no
// message. Defer it first thing in such a callback, as is:
//
//	defer goroutine.Recover()
//
// (recover works only in the function deferred itself, not in one it
// calls). After a panic the callback returns its named results as they
// stand, and the handler may return: set them to a failure first and
// assign them only in the return statement (an err reused by the work
// would read nil), so that the caller never takes a zero result for a
// success.
func Recover() {
	if v := recover(); v != nil {
		report(&PanicError{Value: v, Stack: debug.Stack()})
	}
}

// Handle installs h as the handler of panics in goroutines started by Go
// (or stopped by Recover) and returns the func that puts the previous handler back. h runs in the
// goroutine that panicked; that goroutine ends when h returns.
func Handle(h func(*PanicError)) (restore func()) {
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

func report(p *PanicError) {
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
