//go:build linux || darwin

package autorecover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
	"github.com/frontline-sre/mackerel-frontline/internal/core/recovery"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// act runs under two locks, both flock(2) locks that the kernel drops
// when their holder dies, however it dies, and that do not survive a
// reboot: FILE.lock, held for each short read-modify-write of the state,
// and FILE.run, held while the command runs, so that an action started
// by the next check run finds it taken and leaves.
func (o *Options) act(env Env, stderr io.Writer, now func() time.Time) error {
	masker := secret.Process()
	run, err := masker.Expand(o.Run)
	if err != nil {
		return fmt.Errorf("--run: %v", err)
	}
	// A password written into a URL of the command (curl
	// https://ops:PASSWORD@...) is as secret as one from ${env:}: the
	// command is printed, stored and quoted by the check.
	for _, u := range secret.URLsIn(run) {
		masker.AddURL(u)
	}
	log := masker.Writer(stderr)

	if err := os.MkdirAll(filepath.Dir(o.State), 0o755); err != nil {
		return fmt.Errorf("the state's folder: %v", err)
	}
	unlock, err := lock(o.State+".lock", true)
	if err != nil {
		return err
	}
	s, err := recovery.Read(o.State)
	if err != nil {
		unlock()
		return fmt.Errorf("reading the state: %v", err)
	}
	s.Budget = o.AtMost
	started := now()
	why := o.decide(s, env, started)
	var release func()
	if why == "" {
		release, err = lock(o.State+".run", false)
		if errors.Is(err, errBusy) {
			why = "another recovery of this item is running: not starting a second"
		} else if err != nil {
			unlock()
			return err
		}
	}
	if why == "" {
		s.Attempts = append(s.InWindow(budgetOf(o), started), recovery.Attempt{Started: started, Command: masker.Mask(o.Run)})
	}
	err = s.Write(o.State)
	unlock()
	if err != nil {
		if release != nil {
			release()
		}
		return fmt.Errorf("writing the state: %v", err)
	}
	if why != "" {
		fmt.Fprintf(log, "%s: %s\n", Name, why)
		return nil
	}
	defer release()

	fmt.Fprintf(log, "%s: running '%s' (CRITICAL %d runs in a row)\n", Name, o.Run, s.Critical)
	out := masker.LineWriter(stderr)
	code, outcome, last := o.runCommand(run, out)
	out.Close()
	fmt.Fprintf(log, "%s: '%s' %s\n", Name, o.Run, outcome)

	unlock, err = lock(o.State+".lock", true)
	if err != nil {
		return err
	}
	defer unlock()
	if s, err = recovery.Read(o.State); err != nil {
		return fmt.Errorf("reading the state: %v", err)
	}
	for i := range s.Attempts {
		if a := &s.Attempts[i]; a.Started.Equal(started) && a.Outcome == "" {
			a.Exit, a.Outcome, a.Last = code, outcome, attemptLast(masker, last)
		}
	}
	if err := s.Write(o.State); err != nil {
		return fmt.Errorf("writing the state: %v", err)
	}
	return nil
}

func budgetOf(o *Options) recovery.Budget {
	b, _ := recovery.ParseBudget(o.AtMost)
	return b
}

// runCommand runs the command in a process group of its own and kills
// the whole group when the deadline passes or the action is told to
// stop: a restart script's children must not outlive it unseen.
func (o *Options) runCommand(run string, out io.Writer) (code *int, outcome, last string) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Duration(o.Timeout))
	defer cancel()

	tail := &lastLine{}
	cmd := exec.Command("/bin/sh", "-c", run)
	cmd.Stdin = nil
	cmd.Stdout = io.MultiWriter(out, tail)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A grandchild that keeps the output open must not keep us waiting.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Sprintf("did not start: %v", err), ""
	}
	done := make(chan error, 1)
	goroutine.Go(func() { done <- cmd.Wait() })
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Sprintf("timed out after %s, its process group killed", time.Duration(o.Timeout)), tail.String()
		}
		return nil, "stopped when the action was terminated, its process group killed", tail.String()
	}
	n := cmd.ProcessState.ExitCode()
	if n < 0 {
		return nil, fmt.Sprintf("ended by a signal: %v", err), tail.String()
	}
	return &n, fmt.Sprintf("exit %d", n), tail.String()
}

// lastLine keeps the last line of what the command printed, that is
// not blank. Of a long line it keeps the start, up to maxLastLine bytes,
// which is all an attempt records: cut anywhere else, the line would
// begin with the end of whatever crossed the cut, maybe a piece of a
// secret too short to be masked.
type lastLine struct {
	// last is the last line ended and not blank; cur the line being
	// written.
	last, cur []byte
}

const maxLastLine = 4 << 10

func (l *lastLine) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		line, rest, ended := bytes.Cut(p, []byte("\n"))
		if room := maxLastLine - len(l.cur); room > 0 {
			l.cur = append(l.cur, line[:min(len(line), room)]...)
		}
		if !ended {
			break
		}
		if !blank(l.cur) {
			l.last, l.cur = l.cur, l.last[:0]
		} else {
			l.cur = l.cur[:0]
		}
		p = rest
	}
	return n, nil
}

// String is the last line whole: it is masked before it is cut short
// (see attemptLast), so that no piece of a secret is left at the cut.
func (l *lastLine) String() string {
	if !blank(l.cur) {
		return strings.TrimSpace(string(l.cur))
	}
	return strings.TrimSpace(string(l.last))
}

func blank(line []byte) bool { return len(bytes.Trim(line, "\r\t ")) == 0 }

// attemptLast is the last line as an attempt records it: masked, then
// made printable and cut to 200 runes.
func attemptLast(masker *secret.Masker, line string) string {
	return textfmt.Shorten(textfmt.Sanitize(masker.Mask(line)), 200)
}

var errBusy = errors.New("lock held")

// lock takes an flock(2) lock on path; wait false returns errBusy when
// another process holds it.
func lock(path string, wait bool) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %v", err)
	}
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errBusy
		}
		return nil, fmt.Errorf("lock %s: %v", path, err)
	}
	return func() { f.Close() }, nil
}
