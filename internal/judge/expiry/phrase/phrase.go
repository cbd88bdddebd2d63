// Package phrase words a certificate's validity the way every alert says
// it. It takes dates and thresholds, not certificates, so that a program
// that links no TLS (frontline, documenting the alerts) says it in the
// same words as the checks.
package phrase

import (
	"fmt"
	"math"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
)

// Dates judges a certificate's dates at now against the thresholds and
// says so after desc, the certificate's description: "leaf CN=x (issuer
// y) expires in 21 days (...), warning below 30 days". Not yet valid or
// expired is CRITICAL.
func Dates(desc string, notBefore, notAfter, now time.Time, warning, critical threshold.Expiry) (check.Status, string) {
	left := threshold.Between(now, notAfter)
	switch {
	case now.Before(notBefore):
		return check.CRITICAL, fmt.Sprintf("%s is not valid until %s (in %s)", desc, Stamp(notBefore), Days(threshold.Between(now, notBefore)))
	case left <= 0:
		return check.CRITICAL, fmt.Sprintf("%s expired %s ago (%s)", desc, Days(-left), Stamp(notAfter))
	}
	text := fmt.Sprintf("%s expires in %s (%s)", desc, Days(left), Stamp(notAfter))
	lifetime := threshold.Between(notBefore, notAfter)
	var status check.Status
	var breached threshold.Expiry
	switch {
	case critical.Breached(left, lifetime):
		status, breached = check.CRITICAL, critical
	case warning.Breached(left, lifetime):
		status, breached = check.WARNING, warning
	default:
		return check.OK, text
	}
	if breached.IsPercent() {
		text += fmt.Sprintf(", %s of its lifetime left", percentLeft(left, lifetime))
	}
	return status, text + fmt.Sprintf(", %s below %s", lower(status), breached)
}

// Days formats time left the way the messages show it: whole days from two
// days up, one decimal below, always rounded down so that a message never
// promises more time than there is.
func Days(left threshold.Seconds) string {
	// Counted in whole tenths of a day, from seconds: in days, exactly
	// 1.6 days comes out as 1.5999… and would be shown as 1.5, while
	// 138240 seconds divide into 16 tenths exactly.
	tenths := int64(math.Floor(float64(left / (threshold.Day / 10))))
	switch {
	case tenths >= 20:
		return fmt.Sprintf("%d days", tenths/10)
	case tenths < 1:
		return "less than 0.1 days"
	}
	return fmt.Sprintf("%d.%d days", tenths/10, tenths%10)
}

// Stamp is how messages show a certificate's dates: UTC, RFC 3339.
func Stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func percentLeft(left, lifetime threshold.Seconds) string {
	if lifetime <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%d%%", int(math.Floor(float64(left)/float64(lifetime)*100)))
}

func lower(s check.Status) string {
	if s == check.CRITICAL {
		return "critical"
	}
	return "warning"
}
