package scenariofile

import (
	"fmt"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpreq"
)

// The request options of one-request mode that a scenario sets for all
// its steps and a step for itself (--max-body, --max-redirects), and a
// step's own time limit. Kept apart from the rest of the schema: the
// keys below are all it adds.
var (
	limitKeys     = []string{"max_body", "max_redirects"}
	stepLimitKeys = []string{"max_body", "max_redirects", "timeout"}
)

// Limits are those options; unset (zero, nil) leaves them to the level
// above: the step's to the scenario's, the scenario's to the command
// line's, that to the defaults.
type Limits struct {
	MaxBody      int64
	MaxRedirects *int
	// Timeout bounds one step's request (steps only; the scenario's
	// timeout: bounds the whole run).
	Timeout time.Duration

	lines map[string]int // where each was set, for a conflict's message
}

// limit reads one of the keys into lim.
func (l *loader) limit(lim *Limits, key string, k, v *node) error {
	if lim.lines == nil {
		lim.lines = map[string]int{}
	}
	lim.lines[key] = k.line
	switch key {
	case "max_body":
		n, ok := integer(v)
		if !ok {
			return errAt(k.at(), "max_body wants a number of bytes, got %s", v.describe())
		}
		if err := httpreq.CheckMaxBody(n); err != nil {
			return errAt(k.at(), "max_body %v", err)
		}
		lim.MaxBody = n
	case "max_redirects":
		n, ok := integer(v)
		if !ok || n > 1000 {
			return errAt(k.at(), "max_redirects wants a number of redirects, got %s", v.describe())
		}
		if err := httpreq.CheckMaxRedirects(int(n)); err != nil {
			return errAt(k.at(), "max_redirects %v", err)
		}
		r := int(n)
		lim.MaxRedirects = &r
	case "timeout":
		d, err := duration(k, v)
		if err != nil {
			return err
		}
		lim.Timeout = d
	}
	return nil
}

// SetMaxBody applies --max-body to the steps that do not set their own.
// The scenario's own max_body and the flag conflict: which one rules
// would be a guess.
func (s *Scenario) SetMaxBody(n int64) error {
	if line, ok := s.Limits.lines["max_body"]; ok {
		return fmt.Errorf("--max-body and the scenario's max_body (%s line %d) conflict: give one", s.Path, line)
	}
	s.Limits.MaxBody = n
	return nil
}

// SetMaxRedirects applies --max-redirects as SetMaxBody does --max-body.
func (s *Scenario) SetMaxRedirects(n int) error {
	if line, ok := s.Limits.lines["max_redirects"]; ok {
		return fmt.Errorf("--max-redirects and the scenario's max_redirects (%s line %d) conflict: give one", s.Path, line)
	}
	s.Limits.MaxRedirects = &n
	return nil
}

// integer is a whole number as YAML gives it (a large one saturates, to
// be refused as out of range).
func integer(v *node) (int64, bool) {
	switch n := v.value.(type) {
	case int64:
		return n, true
	case uint64:
		return int64(min(n, 1<<62)), true
	}
	return 0, false
}
