package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a flag value written as a Go duration ("10s", "1m30s") or a
// plain number of seconds ("10", "2.5"), as users of other plugins expect.
type Duration time.Duration

// UnmarshalFlag implements flags.Unmarshaler.
func (d *Duration) UnmarshalFlag(s string) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	if v <= 0 {
		return fmt.Errorf("%q is not a positive duration: write 10s, 1m30s or a number of seconds", s)
	}
	*d = Duration(v)
	return nil
}

// ParseDuration reads a Go duration or a number of seconds.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if !(f >= 0 && f <= (1<<62)/float64(time.Second)) { // also NaN
			return 0, fmt.Errorf("%q is out of range: write a duration such as 10s, or seconds", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration: write 10s, 1m30s or a number of seconds", s)
	}
	return d, nil
}

func (d Duration) String() string { return time.Duration(d).String() }
