package httpcheck

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// The request options of one-request mode that a scenario sets for all
// its steps and a step for itself (--max-body, --max-redirects), and a
// step's own time limit. Kept apart from the rest of the schema: the
// keys below are all it adds.
var (
	limitKeys     = []string{"max_body", "max_redirects"}
	stepLimitKeys = []string{"max_body", "max_redirects", "timeout"}
)

// stepLimits are those options; unset (zero, nil) leaves them to the level
// above: the step's to the scenario's, the scenario's to the command
// line's, that to the defaults.
type stepLimits struct {
	MaxBody      int64
	MaxRedirects *int
	// Timeout bounds one step's request (steps only; the scenario's
	// timeout: bounds the whole run).
	Timeout time.Duration

	lines map[string]int // where each was set, for a conflict's message
}

// limit reads one of the keys into lim.
func (l *loader) limit(lim *stepLimits, key string, k, v *node) error {
	if lim.lines == nil {
		lim.lines = map[string]int{}
	}
	lim.lines[key] = k.line
	switch key {
	case "max_body":
		n, ok := integer(v)
		if !ok {
			return errAt(k.line, "max_body wants a number of bytes, got %s", v.describe())
		}
		if err := httpprobe.CheckMaxBody(n); err != nil {
			return errAt(k.line, "max_body %v", err)
		}
		lim.MaxBody = n
	case "max_redirects":
		n, ok := integer(v)
		if !ok || n > 1000 {
			return errAt(k.line, "max_redirects wants a number of redirects, got %s", v.describe())
		}
		if err := httpprobe.CheckMaxRedirects(int(n)); err != nil {
			return errAt(k.line, "max_redirects %v", err)
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
func (s *scenario) SetMaxBody(n int64) error {
	if line, ok := s.limits.lines["max_body"]; ok {
		return fmt.Errorf("--max-body and the scenario's max_body (%s line %d) conflict: give one", s.path, line)
	}
	s.limits.MaxBody = n
	return nil
}

// SetMaxRedirects applies --max-redirects as SetMaxBody does --max-body.
func (s *scenario) SetMaxRedirects(n int) error {
	if line, ok := s.limits.lines["max_redirects"]; ok {
		return fmt.Errorf("--max-redirects and the scenario's max_redirects (%s line %d) conflict: give one", s.path, line)
	}
	s.limits.MaxRedirects = &n
	return nil
}

// apply sets r's limits from the step, else the scenario.
func (st *step) apply(s *scenario, r *httpprobe.Request) {
	r.MaxBody = st.limits.MaxBody
	if r.MaxBody == 0 {
		r.MaxBody = s.limits.MaxBody
	}
	max := st.limits.MaxRedirects
	if max == nil {
		max = s.limits.MaxRedirects
	}
	if max != nil {
		r.MaxRedirects = *max
		r.NoFollow = r.NoFollow || *max == 0
	}
}

// send does the step's request within its own timeout, if it has one.
func (st *step) send(ctx context.Context, c client, req *httpprobe.Request) (*httpprobe.Response, error) {
	if st.limits.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, st.limits.Timeout)
		defer cancel()
	}
	return c.Do(ctx, req)
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
