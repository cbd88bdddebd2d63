//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/recovery"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// item is one catalog item's recovery on a test host: its state file and
// a command that counts its runs.
type item struct {
	dir, state, count string
	args              []string
}

func newItem(t *testing.T, run string, args ...string) *item {
	dir := t.TempDir()
	it := &item{dir: dir, state: filepath.Join(dir, "shop-process-nginx.recovery"), count: filepath.Join(dir, "count")}
	if run == "" {
		run = "echo restarted >> " + it.count + "; echo nginx is up"
	}
	it.args = append([]string{"--run", run, "--state", it.state}, args...)
	return it
}

// agentEnv is what the agent tells an action of the check run before it.
func agentEnv(status, previous, message string) []string {
	return []string{"MACKEREL_STATUS=" + status, "MACKEREL_PREVIOUS_STATUS=" + previous, "MACKEREL_CHECK_MESSAGE=" + message}
}

// after runs the action as the agent does after a check run.
func (it *item) after(t *testing.T, status, previous, message string) testutil.Result {
	t.Helper()
	r := testutil.Run(t, testutil.Binary(t, "mackerel-plugin-frontline-recover"), agentEnv(status, previous, message), it.args...)
	if r.Code != 0 {
		t.Fatalf("exit %d\n%s", r.Code, r)
	}
	return r
}

// runOnce runs the action after a first CRITICAL, with env added to what
// the agent sets, and fails the test unless the command ran once.
func (it *item) runOnce(t *testing.T, env ...string) testutil.Result {
	t.Helper()
	r := testutil.Run(t, testutil.Binary(t, "mackerel-plugin-frontline-recover"), append(agentEnv("CRITICAL", "", "PROCESS CRITICAL: nginx"), env...), it.args...)
	if r.Code != 0 || it.runs(t) != 1 {
		t.Fatalf("the command did not run once:\n%s", r)
	}
	return r
}

// start starts the action after a first CRITICAL with the command run,
// which writes its shell's PID ($$) to pidFile first. It returns once
// that PID is there, with the action and the PID, whose process group is
// killed when the test ends.
func (it *item) start(t *testing.T, pidFile, run string) (*exec.Cmd, int) {
	t.Helper()
	it.args[1] = run
	cmd := exec.Command(testutil.Binary(t, "mackerel-plugin-frontline-recover"), it.args...)
	cmd.Env = append(os.Environ(), agentEnv("CRITICAL", "", "PROCESS CRITICAL: nginx")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := 0
	for deadline := time.Now().Add(30 * time.Second); pid == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		data, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	if pid == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the recovery command never started")
	}
	t.Cleanup(func() { syscall.Kill(-pid, syscall.SIGKILL) })
	return cmd, pid
}

// checkProcess runs check-process on a process that never runs, with
// the recovery state file state.
func checkProcess(t *testing.T, state string) testutil.Result {
	t.Helper()
	return testutil.Run(t, testutil.Binary(t, "check-process"), nil, "-n", "frontline-no-such-process", "-C", "1", "--recovery-state", state)
}

func (it *item) runs(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile(it.count)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("\n"))
}

func (it *item) stateOf(t *testing.T) *recovery.State {
	t.Helper()
	s, err := recovery.Read(it.state)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunsOnlyAfterConsecutiveCritical(t *testing.T) {
	it := newItem(t, "", "--at-most", "5/h", "--attempts", "3")
	steps := []struct {
		status, previous string
		runs             int
	}{
		{"WARNING", "", 0},
		{"CRITICAL", "WARNING", 0},
		{"CRITICAL", "CRITICAL", 0},
		{"OK", "CRITICAL", 0}, // the run of CRITICALs starts again
		{"CRITICAL", "OK", 0},
		{"CRITICAL", "CRITICAL", 0},
		{"CRITICAL", "CRITICAL", 1},
		{"UNKNOWN", "CRITICAL", 1},
	}
	for i, s := range steps {
		r := it.after(t, s.status, s.previous, "PROCESS "+s.status+": nginx")
		if got := it.runs(t); got != s.runs {
			t.Fatalf("step %d (%s after %s): the command ran %d times, want %d\n%s", i, s.status, s.previous, got, s.runs, r.Stderr)
		}
	}
	a := it.stateOf(t).Attempts
	if len(a) != 1 || a[0].Exit == nil || *a[0].Exit != 0 || a[0].Last != "nginx is up" || a[0].Command == "" {
		t.Errorf("attempt recorded as %+v, want exit 0 and the last line", a)
	}
}

func TestBudgetSpentStopsRunsAndTheCheckSaysSo(t *testing.T) {
	it := newItem(t, "echo restarted >> COUNT; echo still down; exit 1", "--at-most", "2/h")
	it.args[1] = strings.ReplaceAll(it.args[1], "COUNT", it.count)
	var last testutil.Result
	for i := 0; i < 4; i++ {
		last = it.after(t, "CRITICAL", "CRITICAL", "PROCESS CRITICAL: nginx")
	}
	if got := it.runs(t); got != 2 {
		t.Fatalf("the command ran %d times with --at-most 2/h, want 2", got)
	}
	if !strings.Contains(last.Stderr, "budget spent: 2 of 2 this hour") {
		t.Errorf("stderr does not say the budget is spent:\n%s", last.Stderr)
	}
	checkProcess(t, it.state).ExpectMatch(t, 2, `\nauto-recovery: ran 'echo restarted >> .*' at \d\d:\d\d:\d\d, exit 1 \(last line: still down\); budget spent: 2 of 2 this hour, nothing more runs before \d\d:\d\d:\d\d\n$`)
}

func TestTheCheckSaysWhatWasTriedAndWhatIsLeft(t *testing.T) {
	it := newItem(t, "", "--at-most", "3/h")
	it.after(t, "CRITICAL", "", "PROCESS CRITICAL: nginx")
	checkProcess(t, it.state).ExpectMatch(t, 2, `\nauto-recovery: ran 'echo restarted .*' at \d\d:\d\d:\d\d, exit 0 \(last line: nginx is up\); 1 of 3 this hour\n$`)
	// No state file yet: the check says nothing of recovery.
	none := checkProcess(t, filepath.Join(t.TempDir(), "absent"))
	if none.Code != 2 || strings.Contains(none.Stdout, "auto-recovery") {
		t.Errorf("without a state file: %s", none)
	}
}

func TestNeverOnADrill(t *testing.T) {
	drill := filepath.Join(t.TempDir(), "shop-process-nginx")
	if err := os.WriteFile(drill, []byte("critical game day 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	it := newItem(t, "", "--at-most", "3/h", "--drill-file", drill)
	for range 3 {
		r := it.after(t, "CRITICAL", "CRITICAL", "PROCESS CRITICAL: [DRILL] game day 3 (real: OK 1 group)")
		if !strings.Contains(r.Stderr, "drill") {
			t.Errorf("stderr does not say why nothing ran:\n%s", r.Stderr)
		}
	}
	// The message alone is enough: a drill is never healed.
	other := newItem(t, "", "--at-most", "3/h")
	other.after(t, "CRITICAL", "CRITICAL", "PROCESS CRITICAL: [DRILL] game day 3 (real: CRITICAL nginx: 0 processes)")
	if it.runs(t)+other.runs(t) != 0 {
		t.Errorf("the command ran during a drill")
	}
}

func TestOverlappingActionsRunTheCommandOnce(t *testing.T) {
	it := newItem(t, "", "--at-most", "3/h")
	// The command holds on until the gate opens, which is after one
	// action has ended: however late a starved machine starts the second
	// action, the first still holds the lock then.
	gate := filepath.Join(t.TempDir(), "gate")
	it.args[1] = "echo restarted >> " + it.count + "; while [ ! -e " + gate + " ]; do sleep 0.1; done"
	bin := testutil.Binary(t, "mackerel-plugin-frontline-recover")
	var outs []*bytes.Buffer
	ended := make(chan error, 2)
	for range 2 {
		cmd := exec.Command(bin, it.args...)
		cmd.Env = append(os.Environ(), agentEnv("CRITICAL", "CRITICAL", "PROCESS CRITICAL: nginx")...)
		out := &bytes.Buffer{}
		cmd.Stderr = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
		go func() { ended <- cmd.Wait() }()
	}
	for i := range 2 {
		if err := <-ended; err != nil {
			t.Errorf("action: %v", err)
		}
		if i == 0 {
			if err := os.WriteFile(gate, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := it.runs(t); got != 1 {
		t.Fatalf("two overlapping actions ran the command %d times, want 1\n%s\n%s", got, outs[0], outs[1])
	}
	if !strings.Contains(outs[0].String()+outs[1].String(), "another recovery of this item is running") {
		t.Errorf("neither action says the other ran:\n%s\n%s", outs[0], outs[1])
	}
}

// TestAKilledActionLeavesNoLock: the agent kills an action past its
// timeout_seconds; the next one must still be able to run.
func TestAKilledActionLeavesNoLock(t *testing.T) {
	it := newItem(t, "", "--at-most", "3/h")
	pidFile := filepath.Join(it.dir, "pid")
	cmd, _ := it.start(t, pidFile, "echo $$ > "+pidFile+"; echo restarted >> "+it.count+"; exec sleep 60")
	cmd.Process.Kill()
	cmd.Wait()
	// What a reboot mid-attempt leaves too: an attempt with no exit code.
	checkProcess(t, it.state).ExpectMatch(t, 2, `\nauto-recovery: started 'echo .*' at \d\d:\d\d:\d\d, no exit recorded \(still running, or cut short by a reboot\); 1 of 3 this hour\n$`)

	it.args[1] = "echo restarted >> " + it.count
	r := it.after(t, "CRITICAL", "CRITICAL", "PROCESS CRITICAL: nginx")
	if got := it.runs(t); got != 2 {
		t.Fatalf("after a killed action the next ran the command %d times in all, want 2\n%s", got, r.Stderr)
	}
	a := it.stateOf(t).Attempts
	if len(a) != 2 || a[0].Outcome != "" || a[1].Outcome != "exit 0" {
		t.Errorf("attempts %+v: want the killed one without an outcome, counted, then exit 0", a)
	}
}

func TestTimeoutKillsTheWholeProcessGroup(t *testing.T) {
	it := newItem(t, "", "--at-most", "3/h", "-t", "1s")
	bgFile := filepath.Join(it.dir, "bg")
	it.args[1] = "sleep 120 & echo $! > " + bgFile + "; wait"
	r := it.after(t, "CRITICAL", "", "PROCESS CRITICAL: nginx")
	if !strings.Contains(r.Stderr, "timed out after 1s, its process group killed") {
		t.Errorf("stderr:\n%s", r.Stderr)
	}
	data, err := os.ReadFile(bgFile)
	if err != nil {
		t.Fatal(err)
	}
	bg, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	t.Cleanup(func() { syscall.Kill(bg, syscall.SIGKILL) })
	testutil.ExpectProcessesGone(t, []int{bg})
	s := it.stateOf(t)
	if len(s.Attempts) != 1 || s.Attempts[0].Exit != nil || !strings.HasPrefix(s.Attempts[0].Outcome, "timed out") {
		out, _ := json.Marshal(s)
		t.Errorf("state %s: want the attempt recorded as timed out", out)
	}
}

func TestUsageErrors(t *testing.T) {
	bin := testutil.Binary(t, "mackerel-plugin-frontline-recover")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--at-most", "3/h", "--state", "/tmp/x"}, "--run is missing"},
		{[]string{"--run", "true", "--at-most", "3/h"}, "--state is missing"},
		{[]string{"--run", "true", "--state", "/tmp/x", "--at-most", "3 per hour"}, "--at-most: \"3 per hour\" is not runs per window"},
		{[]string{"--run", "true", "--state", "/tmp/x", "--at-most", "3/h", "--bogus"}, "unknown flag"},
	} {
		r := testutil.Run(t, bin, []string{"MACKEREL_STATUS=CRITICAL"}, c.args...)
		if r.Code != 3 || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%v: exit %d, want 3 with %q\n%s", c.args, r.Code, c.want, r)
		}
	}
}

// TestTerminatedActionKillsTheCommand: the agent's timeout_seconds ends
// the action with SIGTERM; the command's process group goes with it, and
// the attempt is recorded.
func TestTerminatedActionKillsTheCommand(t *testing.T) {
	it := newItem(t, "", "--at-most", "3/h")
	pidFile := filepath.Join(it.dir, "pid")
	cmd, pid := it.start(t, pidFile, "echo $$ > "+pidFile+"; exec sleep 60")
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	testutil.ExpectProcessesGone(t, []int{pid})
	if a := it.stateOf(t).Attempts; len(a) != 1 || !strings.HasPrefix(a[0].Outcome, "stopped when the action was terminated") {
		t.Errorf("attempts %+v: want one, recorded as stopped", a)
	}
}

// TestSecretsAreMasked: a command written with ${env:NAME} runs with the
// value, which is masked in the agent's log and in the state file.
func TestSecretsAreMasked(t *testing.T) {
	it := newItem(t, "", "--at-most", "3/h")
	it.args[1] = "echo restarted >> " + it.count + "; echo token ${env:FRONTLINE_RECOVER_TOKEN} accepted"
	r := it.runOnce(t, "FRONTLINE_RECOVER_TOKEN=s3cr3t-t0k3n-value")
	state, _ := os.ReadFile(it.state)
	for where, text := range map[string]string{"stderr": r.Stderr, "the state file": string(state)} {
		if strings.Contains(text, "s3cr3t") {
			t.Errorf("%s shows the secret:\n%s", where, text)
		}
	}
	if a := it.stateOf(t).Attempts; len(a) != 1 || a[0].Last != "token *** accepted" {
		t.Errorf("attempts %+v: want the last line masked", a)
	}
}

// A last line cut to its 200 runes is cut after it is masked: a secret
// across the cut shows no piece of itself.
func TestSecretAcrossTheCutIsMasked(t *testing.T) {
	it := newItem(t, "", "--at-most", "3/h")
	it.args[1] = "echo restarted >> " + it.count + "; printf '%0195d%s\\n' 0 ${env:FRONTLINE_RECOVER_TOKEN}"
	it.runOnce(t, "FRONTLINE_RECOVER_TOKEN=s3cr3t-t0k3n-value")
	state, _ := os.ReadFile(it.state)
	for _, piece := range []string{"s3c", "t0k"} {
		if strings.Contains(string(state), piece) {
			t.Errorf("the state file shows a piece of the secret, %q:\n%s", piece, state)
		}
	}
}

// A secret the command prints in several writes (a progress printer, a
// shell loop) is masked as a whole line, never piece by piece.
func TestSecretPrintedInPiecesIsMasked(t *testing.T) {
	it := newItem(t, "", "--at-most", "3/h")
	it.args[1] = "echo restarted >> " + it.count + "; for c in R3c0ve rT0ken XYZ99; do printf %s $c; sleep 0.1; done; echo; echo ${env:RT} > /dev/null"
	r := it.runOnce(t, "RT=R3c0verT0kenXYZ99")
	r.ExpectNoSecret(t, "R3c0verT0kenXYZ99")
	if !strings.Contains(r.Stderr, "***") {
		t.Errorf("the command's line is not in the log, masked:\n%s", r.Stderr)
	}
}

// A password written into a URL of the command is never printed or
// stored: not when the action says what it runs, not in the state file,
// not in the check's message that reads it.
func TestPasswordInACommandURLIsMasked(t *testing.T) {
	const pw = "RecUrlS3cretPw56"
	it := newItem(t, "", "--at-most", "3/h")
	it.args[1] = "echo restarted >> " + it.count + "; echo calling https://ops:" + pw + "@127.0.0.1:9/restart"
	r := it.runOnce(t)
	r.ExpectNoSecret(t, pw)
	state, _ := os.ReadFile(it.state)
	if strings.Contains(string(state), pw[:8]) {
		t.Errorf("the state file shows the password:\n%s", state)
	}
	checkProcess(t, it.state).ExpectNoSecret(t, pw)
}

// However the URL is written into the command (as a flag's or a shell
// variable's value, with a "/" that breaks its parse), its password is
// neither printed nor stored.
func TestPasswordInACommandURLIsMaskedAsWritten(t *testing.T) {
	for _, tc := range []struct{ name, url, pw string }{
		{"a flag's value", "--url=https://ops:RecFlagS3cretPw56@127.0.0.1:9/restart", "RecFlagS3cretPw56"},
		{"a variable's value", "U=https://ops:RecVarS3cretPw56@127.0.0.1:9/restart", "RecVarS3cretPw56"},
		{"quoted in a word", "x'https://ops:RecQuoS3cretPw56@127.0.0.1:9/restart'", "RecQuoS3cretPw56"},
		{"a / in the password", "https://ops:Rec/SlashS3cretPw56@127.0.0.1:9/restart", "Rec/SlashS3cretPw56"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := newItem(t, "", "--at-most", "3/h")
			it.args[1] = "echo restarted >> " + it.count + "; echo calling " + tc.url
			r := it.runOnce(t)
			if !strings.Contains(r.Stderr, "running '") || !strings.Contains(r.Stderr, "calling ") {
				t.Errorf("the log does not say what ran:\n%s", r.Stderr)
			}
			r.ExpectNoSecret(t, tc.pw)
			state, _ := os.ReadFile(it.state)
			if piece := testutil.SecretPiece(string(state), tc.pw); piece != "" {
				t.Errorf("the state file shows %q of the password:\n%s", piece, state)
			}
			checkProcess(t, it.state).ExpectNoSecret(t, tc.pw)
		})
	}
}
