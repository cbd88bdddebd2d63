//go:build unix

package e2e

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// AgentVersion is the mackerel-agent the plugins are tested under, pinned
// as testutil.InstallCommand requires.
const AgentVersion = "v0.86.0"

const agentModule = "github.com/mackerelio/mackerel-agent"

// InstallAgent returns the path of mackerel-agent AgentVersion, built the
// first time into a cache folder that outlives the test run.
func InstallAgent(t testing.TB) string {
	t.Helper()
	return testutil.InstallCommand(t, agentModule, AgentVersion)
}

// InitialWait is how long the agent waits after start before it runs its
// plugins and posts anything, for a host ID: a test picks an ID for which
// it is zero.
func InitialWait(hostID string) time.Duration {
	sum := sha1.Sum([]byte(hostID))
	return time.Duration(int(sum[len(sum)-1])%60/2) * time.Second
}

// WriteAgentConfig writes a mackerel-agent.conf that talks to apiURL only,
// keeps its state in a temporary folder, and holds blocks after the
// top-level settings.
func WriteAgentConfig(t testing.TB, apiURL string, blocks ...string) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "apibase = %q\n", apiURL)
	b.WriteString("apikey = \"fake-api-key\"\n")
	fmt.Fprintf(&b, "root = %q\n", root)
	fmt.Fprintf(&b, "pidfile = %q\n", filepath.Join(dir, "mackerel-agent.pid"))
	// Otherwise the agent probes the cloud providers' metadata addresses.
	b.WriteString("cloud_platform = \"none\"\n")
	for _, block := range blocks {
		b.WriteString("\n" + strings.TrimRight(block, "\n") + "\n")
	}
	path := filepath.Join(dir, "mackerel-agent.conf")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ConfigTest runs `mackerel-agent configtest`, which also rejects keys the
// agent does not know: a typo in a README block fails here.
func ConfigTest(t testing.TB, agent, conf string) {
	t.Helper()
	out, err := exec.Command(agent, "configtest", "-conf", conf).CombinedOutput()
	if err != nil {
		config, _ := os.ReadFile(conf)
		t.Fatalf("mackerel-agent configtest: %v\n%s\nconfig:\n%s", err, out, config)
	}
}

// Agent is a running mackerel-agent.
type Agent struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
	stop sync.Once
	err  error
}

// StartAgent runs `mackerel-agent -conf conf` with the test's environment
// plus env ("NAME=value"), which the agent passes on to every plugin. The
// agent is stopped when the test ends, and its log shown if the test failed.
func StartAgent(t testing.TB, agent, conf string, env ...string) *Agent {
	t.Helper()
	a := &Agent{log: &syncBuffer{}, done: make(chan struct{})}
	// -v logs each check result and each post: what a failure needs.
	a.cmd = exec.Command(agent, "-conf", conf, "-v")
	a.cmd.Env = append(withoutVars(os.Environ(), env), env...)
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	// Its own process group, so that stopping it also stops a plugin it
	// left running.
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("starting mackerel-agent: %v", err)
	}
	go func() {
		a.err = a.cmd.Wait()
		close(a.done)
	}()
	t.Cleanup(func() {
		a.Stop()
		if t.Failed() {
			t.Logf("mackerel-agent log:\n%s", a.Log())
		}
	})
	return a
}

// withoutVars drops from environ the variables that env sets.
func withoutVars(environ, env []string) []string {
	drop := map[string]bool{}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop[name] = true
	}
	var out []string
	for _, kv := range environ {
		if name, _, _ := strings.Cut(kv, "="); !drop[name] {
			out = append(out, kv)
		}
	}
	return out
}

// Stop ends the agent and everything it started. The agent shuts down
// gracefully for up to 30 s on SIGTERM; a second signal cuts that short.
func (a *Agent) Stop() {
	a.stop.Do(func() {
		pgid := a.cmd.Process.Pid
		for _, step := range []struct {
			sig  syscall.Signal
			wait time.Duration
		}{{syscall.SIGTERM, 3 * time.Second}, {syscall.SIGTERM, 2 * time.Second}, {syscall.SIGKILL, 5 * time.Second}} {
			if a.Exited() {
				break
			}
			a.cmd.Process.Signal(step.sig)
			select {
			case <-a.done:
			case <-time.After(step.wait):
			}
		}
		// Whatever of the group outlived the agent.
		syscall.Kill(-pgid, syscall.SIGKILL)
	})
}

// Exited reports whether the agent has ended.
func (a *Agent) Exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// Log is what the agent has logged so far, and how it ended if it has.
func (a *Agent) Log() string {
	s := a.log.String()
	if a.Exited() {
		s += fmt.Sprintf("[mackerel-agent ended: %v]\n", a.err)
	}
	return s
}

// Await polls ready until it holds, and fails the test if it does not
// within timeout or the agent ends first.
func (a *Agent) Await(t testing.TB, timeout time.Duration, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ready() {
		if a.Exited() {
			t.Fatalf("mackerel-agent ended before %s", what)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncBuffer collects the agent's output, written from two goroutines
// and read from the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
