package goroutine

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestGoRecoversToTheHandler(t *testing.T) {
	got := make(chan *PanicError, 1)
	defer Handle(func(p *PanicError) { got <- p })()
	Go(func() {
		var m map[string]int
		//lint:ignore SA5000 the test needs a runtime panic, not a panic() call
		m["x"] = 1 // a nil map: a runtime panic, not only panic()
	})
	p := <-got
	if !strings.Contains(p.Error(), "assignment to entry in nil map") {
		t.Errorf("panic value = %v, want the nil map assignment", p.Value)
	}
	if !strings.Contains(string(p.Stack), "goroutine_test.go") {
		t.Errorf("stack does not show where it panicked:\n%s", p.Stack)
	}
}

func TestGoRunsWithoutPanic(t *testing.T) {
	defer Handle(func(p *PanicError) { t.Errorf("unexpected panic: %v", p) })()
	var wg sync.WaitGroup
	wg.Add(1)
	ran := false
	Go(func() { defer wg.Done(); ran = true })
	wg.Wait()
	if !ran {
		t.Error("f did not run")
	}
}

func TestHandleRestores(t *testing.T) {
	first := func(*PanicError) {}
	restore1 := Handle(first)
	restore2 := Handle(func(*PanicError) {})
	restore2()
	mu.Lock()
	h := handler
	mu.Unlock()
	if h == nil {
		t.Fatal("restore dropped the previous handler")
	}
	restore1()
	mu.Lock()
	h = handler
	mu.Unlock()
	if h != nil {
		t.Error("restore did not put back the empty handler")
	}
}

// A callback on a goroutine someone else started reports its panic to the
// handler and returns its named results as they stood.
func TestRecoverReportsToTheHandler(t *testing.T) {
	got := make(chan *PanicError, 1)
	defer Handle(func(p *PanicError) { got <- p })()
	callback := func() (err error) {
		err = errors.New("did not finish")
		defer Recover()
		var m map[string]int
		//lint:ignore SA5000 the test needs a runtime panic, not a panic() call
		m["x"] = 1
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- callback() }() // as net/http runs a dial
	if err := <-done; err == nil || err.Error() != "did not finish" {
		t.Errorf("callback returned %v after its panic, want the failure it set", err)
	}
	select {
	case p := <-got:
		if !strings.Contains(p.Error(), "assignment to entry in nil map") {
			t.Errorf("panic value = %v, want the nil map assignment", p.Value)
		}
		if !strings.Contains(string(p.Stack), "goroutine_test.go") {
			t.Errorf("stack does not show where it panicked:\n%s", p.Stack)
		}
	default:
		t.Fatal("the panic did not reach the handler")
	}
}

func TestRecoverWithoutPanic(t *testing.T) {
	defer Handle(func(p *PanicError) { t.Errorf("unexpected panic: %v", p) })()
	f := func() (n int) {
		defer Recover()
		return 7
	}
	if n := f(); n != 7 {
		t.Errorf("f() = %d, want 7", n)
	}
}
