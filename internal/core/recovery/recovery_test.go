package recovery

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseBudget(t *testing.T) {
	for in, want := range map[string]Budget{"3/h": {3, time.Hour}, "1/30m": {1, 30 * time.Minute}, "5/d": {5, 24 * time.Hour}, "2/2h": {2, 2 * time.Hour}} {
		got, err := ParseBudget(in)
		if err != nil || got != want {
			t.Errorf("ParseBudget(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0/h", "3/0h", "3 per hour", "3/s", "-1/h"} {
		if _, err := ParseBudget(in); err == nil {
			t.Errorf("ParseBudget(%q) accepted", in)
		}
	}
}

// budgetParts is the regexp below written out; it must accept and split
// exactly what the regexp does.
var budgetPattern = regexp.MustCompile(`^([1-9][0-9]*)/([0-9]*)(m|h|d)$`)

func FuzzBudgetParts(f *testing.F) {
	for _, s := range []string{"3/h", "1/30m", "5/d", "2/2h", "", "0/h", "3/0h", "3 per hour", "3/s", "-1/h",
		"/h", "3/", "3h", "03/h", "3//h", "3/h\n", "3/hh", "3/1d2h", "12345678901234567890/d", "3/\u0663h", "+3/h", "3/-1h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, k, unit, ok := budgetParts(s)
		m := budgetPattern.FindStringSubmatch(s)
		if ok != (m != nil) || ok && (n != m[1] || k != m[2] || unit != m[3]) {
			t.Errorf("budgetParts(%q) = %q, %q, %q, %v; the regexp gives %q", s, n, k, unit, ok, m)
		}
	})
}

func TestClause(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	if got := Clause(path, time.Now()); got != "" {
		t.Errorf("no state file: %q, want nothing", got)
	}
	now := time.Now()
	zero := 0
	s := &State{Budget: "2/30m", Attempts: []Attempt{
		{Started: now.Add(-time.Hour), Command: "old", Exit: &zero, Outcome: "exit 0"},
		{Started: now.Add(-10 * time.Minute), Command: "systemctl restart nginx", Exit: &zero, Outcome: "exit 0"},
	}}
	if err := s.Write(path); err != nil {
		t.Fatal(err)
	}
	if got := Clause(path, now); !strings.HasPrefix(got, "auto-recovery: ran 'systemctl restart nginx' at ") || !strings.HasSuffix(got, ", exit 0; 1 of 2 in the last 30m") {
		t.Errorf("clause %q", got)
	}
	// Outside its window an attempt is forgotten.
	if got := Clause(path, now.Add(time.Hour)); got != "" {
		t.Errorf("an hour later: %q, want nothing", got)
	}
	s.Attempts = append(s.Attempts, Attempt{Started: now.Add(-time.Minute), Command: "systemctl restart nginx"})
	if err := s.Write(path); err != nil {
		t.Fatal(err)
	}
	want := "no exit recorded (still running, or cut short by a reboot); budget spent: 2 of 2 in the last 30m, nothing more runs before " + now.Add(20*time.Minute).Local().Format(time.TimeOnly)
	if got := Clause(path, now); !strings.HasSuffix(got, want) {
		t.Errorf("clause %q, want it to end %q", got, want)
	}
}
