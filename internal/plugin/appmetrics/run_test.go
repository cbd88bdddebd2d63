package appmetrics

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// A kind of target still out when the deadline has passed costs only its
// own points: the rest print, instead of the watchdog ending the run with
// nothing printed.
func TestRunPrintsWhatFinishedAtTheDeadline(t *testing.T) {
	release := make(chan struct{})
	// Held for far longer than the deadline and its grace, and let go in
	// the end, so that a Run that waits for it fails the test instead of
	// hanging it, however slow the machine.
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	letGo := time.AfterFunc(time.Minute, let)
	testHookMeasure = func(kind string) {
		if kind == "tls" {
			<-release
		}
	}
	t.Cleanup(func() {
		letGo.Stop()
		let()
		testHookMeasure = nil
	})

	spec := &targetSpec{}
	for _, target := range []string{"tls:late=127.0.0.1:1", "process:me=name:nothing-runs-by-this-name"} {
		kind, value, _ := strings.Cut(target, ":")
		if err := spec.add(kind, value); err != nil {
			t.Fatal(err)
		}
	}
	var stderr bytes.Buffer
	c := &collector{Prefix: "app", Spec: spec, Stderr: &stderr, StatePath: filepath.Join(t.TempDir(), "state")}
	for _, tt := range spec.TLS {
		c.TLS.Targets = append(c.TLS.Targets, tt.Target)
	}
	// Long enough for the scan of a starved host's /proc to finish: a
	// scan the deadline cuts prints no proc_count.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out bytes.Buffer
	begun := time.Now()
	if err := c.Run(ctx, &out); err != nil {
		t.Fatal(err)
	}
	// Returning while the target is still held is the mechanism; how
	// soon after the deadline is the machine's.
	if !letGo.Stop() {
		t.Errorf("Run took %s with a 5s deadline: it waited for the hung target", time.Since(begun))
	}
	for _, want := range []string{"app.proc_count.me\t0\t", "app.tls_valid.late\t0\t"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(stderr.String(), "still running at the deadline") {
		t.Errorf("stderr does not say a target was late:\n%s", stderr.String())
	}
}

// A group whose scan the deadline cut (a command line blocked behind a
// process in D state) graphs nothing: its count was not taken, and a 0
// would be a fake outage. Stderr says why.
func TestPartialScanGraphsNoCount(t *testing.T) {
	root := testutil.FakeProc(t, map[int]map[string]string{
		20: {"stat": testutil.StatLine(20, "rsync", 'D'), "cmdline": "FIFO"},
	})
	spec := &targetSpec{}
	for _, target := range []string{"worker=sidekiq", "web=name:nginx"} {
		if err := spec.add("process", target); err != nil {
			t.Fatal(err)
		}
	}
	var stderr, out bytes.Buffer
	c := &collector{Prefix: "app", Spec: spec, Stderr: &stderr, StatePath: filepath.Join(t.TempDir(), "state"), Proc: root}
	// The blocked read waits for the deadline; the healthy group must be
	// scanned before it, however busy the machine.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Run(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), ".worker\t") || !strings.Contains(out.String(), "app.proc_count.web\t") {
		t.Errorf("output:\n%s", out.String())
	}
	if !strings.Contains(stderr.String(), "process worker: the scan of /proc ran out of time with 1 process left unread (pid 20 (rsync): reading /proc/20/cmdline blocked for ") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}
