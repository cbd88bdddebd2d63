package goroutine

import (
	"strings"
	"sync"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/pool"
)

func TestGoRecoversToTheHandler(t *testing.T) {
	got := make(chan *pool.PanicError, 1)
	defer Handle(func(p *pool.PanicError) { got <- p })()
	Go(func() {
		var m map[string]int
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
	defer Handle(func(p *pool.PanicError) { t.Errorf("unexpected panic: %v", p) })()
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
	first := func(*pool.PanicError) {}
	restore1 := Handle(first)
	restore2 := Handle(func(*pool.PanicError) {})
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
