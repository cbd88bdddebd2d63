// Package spec reads what a user writes of the response a check expects:
// status specs, regular expressions and header matches. It needs no HTTP
// client, so a command line or a scenario file can be checked without
// one; httpexpect judges responses with what it reads.
package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
)

// Status judges a response's status code. The zero Status is the default:
// 200-399 OK, anything else CRITICAL. A 4xx is CRITICAL too, unlike
// Mackerel's check-http, which makes it a WARNING: a login page answering
// 403 to every user is an outage, not a nuisance.
type Status struct {
	rules []statusRule // in order written; the first that matches decides
	// set is true when plain codes were given ("200,302"): they replace
	// the default, so a code matching no rule is CRITICAL. Mappings alone
	// ("404=warning") amend the default, as in Mackerel's check-http.
	set bool
}

type statusRule struct {
	lo, hi int
	state  check.Status
	mapped bool   // written CODE=state
	text   string // as normalised for messages: "200-299", "404=warning"
}

// ParseStatus reads a status spec: comma-separated codes ("200"), ranges
// ("200-399"), classes ("2xx") and mappings "CODE[-CODE]=ok|warning|critical"
// (Mackerel check-http's --status). Plain codes are the OK ones and every
// other code is CRITICAL; mappings give their codes a state and leave the
// rest to the default (or, mixed with plain codes, CRITICAL). The empty
// spec is the default.
func ParseStatus(spec string) (Status, error) {
	var s Status
	if strings.TrimSpace(spec) == "" {
		return s, nil
	}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return Status{}, fmt.Errorf("status %q has an empty item: separate codes with single commas, as in 200,302", spec)
		}
		codes, state, mapped := strings.Cut(item, "=")
		r := statusRule{state: check.OK, mapped: mapped}
		if mapped {
			switch strings.ToLower(strings.TrimSpace(state)) {
			case "ok":
				r.state = check.OK
			case "warning":
				r.state = check.WARNING
			case "critical":
				r.state = check.CRITICAL
			default:
				return Status{}, fmt.Errorf("status %q: %q is not a state: map codes to ok, warning or critical, as in 404=warning", spec, strings.TrimSpace(state))
			}
		}
		lo, hi, err := parseCodes(strings.TrimSpace(codes))
		if err != nil {
			return Status{}, fmt.Errorf("status %q: %v", spec, err)
		}
		r.lo, r.hi = lo, hi
		r.text = strings.TrimSpace(codes)
		if mapped {
			r.text += "=" + strings.ToLower(r.state.String())
		} else {
			s.set = true
		}
		s.rules = append(s.rules, r)
	}
	return s, nil
}

// parseCodes reads "404", "200-399" or "2xx".
func parseCodes(s string) (lo, hi int, err error) {
	const how = "write a code (200), a range (200-399), a class (2xx) or a mapping (404=warning)"
	if len(s) == 3 && strings.HasSuffix(strings.ToLower(s), "xx") && s[0] >= '1' && s[0] <= '5' {
		lo = int(s[0]-'0') * 100
		return lo, lo + 99, nil
	}
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parseCode(a); err != nil {
		return 0, 0, fmt.Errorf("%v: %s", err, how)
	}
	hi = lo
	if isRange {
		if hi, err = parseCode(b); err != nil {
			return 0, 0, fmt.Errorf("%v: %s", err, how)
		}
		if hi < lo {
			return 0, 0, fmt.Errorf("range %s ends before it starts: write the lower code first", s)
		}
	}
	return lo, hi, nil
}

func parseCode(s string) (int, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	if err != nil || len(s) != 3 || n < 100 || n > 599 {
		return 0, fmt.Errorf("%q is not an HTTP status code (100-599)", s)
	}
	return n, nil
}

// Judge returns the state of a response with this status code.
func (s Status) Judge(code int) check.Status {
	state, _ := s.judge(code)
	return state
}

// Decide also returns the mapping that decided, as written ("404=warning"),
// "" for a plain code or the default.
func (s Status) Decide(code int) (check.Status, string) {
	state, r := s.judge(code)
	if r == nil {
		return state, ""
	}
	return state, r.text
}

func (s Status) judge(code int) (check.Status, *statusRule) {
	for i := range s.rules {
		r := &s.rules[i]
		if r.lo <= code && code <= r.hi {
			if r.mapped {
				return r.state, r
			}
			return r.state, nil
		}
	}
	if !s.set && code >= 200 && code <= 399 {
		return check.OK, nil
	}
	return check.CRITICAL, nil
}

// String is the spec, normalised: "200-399" for the default.
func (s Status) String() string {
	if len(s.rules) == 0 {
		return "200-399"
	}
	parts := make([]string, len(s.rules))
	for i, r := range s.rules {
		parts[i] = r.text
	}
	return strings.Join(parts, ",")
}

// Expected describes the codes that are OK, for a message about one that
// is not: "200-399", "200, 302", "200-399 or 404".
func (s Status) Expected() string {
	var ok []string
	for _, r := range s.rules {
		if r.state == check.OK {
			ok = append(ok, strings.TrimSuffix(r.text, "=ok"))
		}
	}
	if !s.set {
		ok = append([]string{"200-399"}, ok...)
	}
	if len(ok) == 0 {
		return "no code (every one is mapped to a problem)"
	}
	if len(ok) == 1 {
		return ok[0]
	}
	if !s.set {
		return strings.Join(ok[:len(ok)-1], ", ") + " or " + ok[len(ok)-1]
	}
	return strings.Join(ok, ", ")
}

// ParseRegexp compiles a regular expression given by a user (Go RE2
// syntax), saying what to fix when it is not one.
func ParseRegexp(re string) (*regexp.Regexp, error) {
	r, err := regexp.Compile(re)
	if err != nil {
		return nil, fmt.Errorf("regular expression %q: %v (RE2 syntax: no lookaround or backreferences)", re, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return r, nil
}
