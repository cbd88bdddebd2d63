// Package check is what every check plugin reports: findings with a status,
// a message assembled worst first under the agent's size limit, the drill
// override, and the exit code the agent reads.
package check

import (
	"strings"

	"github.com/mackerelio/checkers"
)

// Status is the agent's check status; its value is the exit code.
type Status = checkers.Status

// The four statuses, with the exit codes 0..3.
const (
	OK       = checkers.OK
	WARNING  = checkers.WARNING
	CRITICAL = checkers.CRITICAL
	UNKNOWN  = checkers.UNKNOWN
)

// severity ranks statuses for "worst first". UNKNOWN ranks above WARNING:
// a target the check could not judge may be hiding something critical, and
// a responder should look at it before a certificate with weeks left.
func severity(s Status) int {
	switch s {
	case OK:
		return 0
	case WARNING:
		return 1
	case UNKNOWN:
		return 2
	default:
		return 3
	}
}

// Worse reports whether a is more severe than b.
func Worse(a, b Status) bool { return severity(a) > severity(b) }

// Worst returns the most severe of the statuses, OK for none.
func Worst(statuses ...Status) Status {
	w := OK
	for _, s := range statuses {
		if Worse(s, w) {
			w = s
		}
	}
	return w
}

// ParseStatus reads a status word, case-insensitively.
func ParseStatus(word string) (Status, bool) {
	switch strings.ToLower(word) {
	case "ok":
		return OK, true
	case "warning":
		return WARNING, true
	case "critical":
		return CRITICAL, true
	case "unknown":
		return UNKNOWN, true
	}
	return UNKNOWN, false
}
