// Package threshold parses and applies the limits users write on the
// command line.
package threshold

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Seconds is a length of time as certificates need it. time.Duration ends
// at 292 years, and a certificate valid to 9999 (or from 1950 to 2300)
// lasts longer; a float64 of seconds holds any lifetime X.509 can express,
// to well under a millisecond.
type Seconds float64

// Day is the unit certificate thresholds are counted in.
const Day Seconds = 24 * 60 * 60

// Between is the time from from to to, negative when to is earlier,
// counted from Unix seconds so that it never overflows.
func Between(from, to time.Time) Seconds {
	return Seconds(to.Unix()-from.Unix()) + Seconds(to.Nanosecond()-from.Nanosecond())/1e9
}

// Expiry is how much validity a certificate must have left: a number of
// days ("30", "0.5"), a duration in days or hours ("10d", "36h"), or a share of the
// certificate's whole lifetime ("20%", which suits 90-day certificates that
// are renewed at two thirds of their life).
type Expiry struct {
	left    Seconds
	percent float64
	isPct   bool
	text    string
}

// ParseExpiry reads an expiry threshold: days ("30", "0.5", "10d"), hours
// ("36h") or a percentage ("20%"). Minutes and seconds are refused with a
// sentence saying why: "2m" reads as months as readily as minutes, and a
// certificate's lifetime is not counted in seconds.
func ParseExpiry(s string) (Expiry, error) {
	s = strings.TrimSpace(s)
	// Made only when needed: the defaults are parsed on every start.
	bad := func() error {
		return fmt.Errorf("%q is not a threshold: write days (30, 0.5), a duration (36h, 10d) or a percentage of the certificate's lifetime (20%%)", s)
	}
	switch {
	case strings.HasSuffix(s, "%"):
		p, err := nonNegative(strings.TrimSuffix(s, "%"))
		if err != nil || p > 100 {
			return Expiry{}, bad()
		}
		return Expiry{percent: p, isPct: true, text: s}, nil
	case strings.HasSuffix(s, "d"):
		d, err := nonNegative(strings.TrimSuffix(s, "d"))
		if err != nil {
			return Expiry{}, bad()
		}
		return days(d, s)
	case strings.HasSuffix(s, "h"):
		h, err := nonNegative(strings.TrimSuffix(s, "h"))
		if err != nil {
			return Expiry{}, bad()
		}
		e, err := days(h/24, s)
		e.text = s
		return e, err
	case isDuration(s) && strings.HasSuffix(strings.ToLower(s), "m"):
		return Expiry{}, fmt.Errorf("%q is ambiguous (minutes or months?): write days (60, 60d) or hours (36h)", s)
	case isDuration(s):
		return Expiry{}, fmt.Errorf("%q is in seconds, too fine for a certificate's lifetime: write days (30, 0.5) or hours (36h)", s)
	default:
		d, err := nonNegative(s)
		if err != nil {
			return Expiry{}, bad()
		}
		return days(d, s)
	}
}

// isDuration reports whether s reads as a Go duration in any case ("2m",
// "2M", "1h30m", "90s"): what a user who meant minutes or months wrote.
func isDuration(s string) bool {
	l := strings.ToLower(s)
	_, err := time.ParseDuration(l)
	return err == nil && (strings.HasSuffix(l, "m") || strings.HasSuffix(l, "s"))
}

func days(d float64, as string) (Expiry, error) {
	if d > 100*365 {
		return Expiry{}, fmt.Errorf("%q is more than 100 years: write days (30), a duration (36h, 10d) or a percentage (20%%)", as)
	}
	unit := "days"
	if d == 1 {
		unit = "day"
	}
	return Expiry{left: Seconds(d) * Day, text: strconv.FormatFloat(d, 'f', -1, 64) + " " + unit}, nil
}

func nonNegative(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= 0) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a non-negative number: %q", s)
	}
	return f, nil
}

// MustExpiry is ParseExpiry for constants.
func MustExpiry(s string) Expiry {
	e, err := ParseExpiry(s)
	if err != nil {
		panic(err)
	}
	return e
}

// UnmarshalFlag implements flags.Unmarshaler.
func (e *Expiry) UnmarshalFlag(s string) error {
	v, err := ParseExpiry(s)
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// Breached reports whether a certificate with left validity remaining out
// of its total lifetime is below the threshold. A zero threshold is never
// breached: only expiry itself then counts.
func (e Expiry) Breached(left, lifetime Seconds) bool {
	if e.isPct {
		if lifetime <= 0 {
			return left < 0
		}
		return float64(left)/float64(lifetime)*100 < e.percent
	}
	return left < e.left
}

// IsPercent reports whether the threshold is a share of the lifetime.
func (e Expiry) IsPercent() bool { return e.isPct }

// String is the threshold as a responder reads it: "30 days", "36h", "20%".
func (e Expiry) String() string { return e.text }

// CheckOrder returns an error when critical is more lenient than warning,
// which would make WARNING unreachable. Thresholds of different kinds (days
// and percent) cannot be compared without a certificate and are accepted.
func CheckOrder(warning, critical Expiry) error {
	if warning.isPct != critical.isPct {
		return nil
	}
	if warning.isPct && critical.percent > warning.percent || !warning.isPct && critical.left > warning.left {
		return fmt.Errorf("critical threshold %s exceeds warning threshold %s: critical must be the smaller amount of time left", critical, warning)
	}
	return nil
}
