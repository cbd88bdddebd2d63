// Package recovery is what an item's automatic recovery left behind: the
// state file its action writes after every check run (the run of CRITICAL
// reports so far, each attempt with its time, command, exit code and last
// output line) and the clause every check adds to its message from it, so
// that the person paged knows what automation already tried and how much
// of its budget is left.
package recovery

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// stateLimit bounds what is read of a state file: it holds one window's
// attempts, a few hundred bytes each.
const stateLimit = 1 << 20

// State is the content of a state file.
type State struct {
	// Budget is the action's --at-most, "3/h": the check words its clause
	// with it.
	Budget string `json:"budget"`
	// Critical counts the consecutive CRITICAL runs seen by the action.
	Critical int       `json:"consecutive_critical"`
	Attempts []Attempt `json:"attempts"`
}

// Attempt is one run of the recovery command.
type Attempt struct {
	Started time.Time `json:"started"`
	Command string    `json:"command"`
	// Exit is nil until the command has ended: an attempt cut short by a
	// reboot keeps no exit code, and still counts against the budget.
	Exit *int `json:"exit,omitempty"`
	// Outcome says how it ended: "exit 0", "timed out after 30s".
	Outcome string `json:"outcome,omitempty"`
	// Last is the last line the command printed, masked.
	Last string `json:"last_line,omitempty"`
}

// Budget is how many attempts a window allows.
type Budget struct {
	N      int
	Window time.Duration
}

// budgetParts splits "3/30m" into its count, window length and unit
// ("3", "30", "m"); ok is false for anything else. The count has no
// leading zero, the length may be empty ("3/h"). Written out rather than
// as a regexp: the check binaries read a budget on every run with
// --recovery-state, and the regexp package is most of what they would
// link and initialise for it.
func budgetParts(s string) (n, k, unit string, ok bool) {
	n, rest, found := strings.Cut(s, "/")
	if !found || n == "" || n[0] == '0' || !digits(n) || rest == "" {
		return "", "", "", false
	}
	k, unit = rest[:len(rest)-1], rest[len(rest)-1:]
	if !digits(k) || unit != "m" && unit != "h" && unit != "d" {
		return "", "", "", false
	}
	return n, k, unit, true
}

// digits reports whether s is ASCII digits only ("" is).
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseBudget reads "3/h", "1/30m", "5/d".
func ParseBudget(s string) (Budget, error) {
	count, length, unit, ok := budgetParts(s)
	if !ok {
		return Budget{}, fmt.Errorf("%q is not runs per window: write 3/h, 1/30m or 5/d", s)
	}
	n, err := strconv.Atoi(count)
	if err != nil {
		return Budget{}, fmt.Errorf("%q: %v", s, err)
	}
	k := 1
	if length != "" {
		if k, err = strconv.Atoi(length); err != nil || k == 0 {
			return Budget{}, fmt.Errorf("%q: the window must be at least one %s", s, unit)
		}
	}
	per := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[unit]
	return Budget{N: n, Window: time.Duration(k) * per}, nil
}

// Phrase names the window as the clause says it: "this hour", "in the
// last 30m".
func (b Budget) Phrase() string {
	switch b.Window {
	case time.Hour:
		return "this hour"
	case 24 * time.Hour:
		return "in the last day"
	}
	return "in the last " + textfmt.Shorten(shortDuration(b.Window), 16)
}

func shortDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}

// InWindow returns the attempts started within the budget's window
// before now, oldest first.
func (s *State) InWindow(b Budget, now time.Time) []Attempt {
	var in []Attempt
	for _, a := range s.Attempts {
		if now.Sub(a.Started) < b.Window {
			in = append(in, a)
		}
	}
	return in
}

// Read reads a state file; an absent one is an empty state.
func Read(path string) (*State, error) {
	data, err := localfile.Read(path, stateLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return &State{}, nil
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s is not a recovery state file: %v", path, err)
	}
	return &s, nil
}

// Write replaces the state file at once: a reader sees the old state or
// the new one, never half of either, even when the host goes down.
func (s *State) Write(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return localfile.Replace(path, append(data, '\n'), localfile.WriteOptions{Perm: 0o600, Sync: true})
}

// Clause is what a check adds to its message from the state file at
// path: "" when automation has not tried anything within its window.
func Clause(path string, now time.Time) string {
	s, err := Read(path)
	if err != nil {
		return "auto-recovery: state unreadable, so what it tried is unknown: " + err.Error()
	}
	b, err := ParseBudget(s.Budget)
	if err != nil {
		if len(s.Attempts) == 0 {
			return ""
		}
		return "auto-recovery: state file " + path + " has no valid budget: " + err.Error()
	}
	in := s.InWindow(b, now)
	if len(in) == 0 {
		return ""
	}
	last := in[len(in)-1]
	text := "auto-recovery: " + last.describe()
	if len(in) >= b.N {
		return fmt.Sprintf("%s; budget spent: %d of %d %s, nothing more runs before %s", text, len(in), b.N, b.Phrase(), in[len(in)-b.N].Started.Add(b.Window).Local().Format(time.TimeOnly))
	}
	return fmt.Sprintf("%s; %d of %d %s", text, len(in), b.N, b.Phrase())
}

func (a Attempt) describe() string {
	at := a.Started.Local().Format(time.TimeOnly)
	cmd := textfmt.Shorten(a.Command, 48)
	if a.Outcome == "" {
		return fmt.Sprintf("started '%s' at %s, no exit recorded (still running, or cut short by a reboot)", cmd, at)
	}
	s := fmt.Sprintf("ran '%s' at %s, %s", cmd, at, a.Outcome)
	if a.Last != "" {
		s += fmt.Sprintf(" (last line: %s)", textfmt.Shorten(a.Last, 40))
	}
	return s
}
