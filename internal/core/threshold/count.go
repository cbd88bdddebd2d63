package threshold

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Count is a flag holding a whole number, or nothing when not given
// (check-procs' -w/-c/-W/-C).
type Count struct {
	N   int
	Set bool
	// Default marks a value the user did not give (check-procs' -W 1),
	// which messages then call the default.
	Default bool
}

// UnmarshalFlag implements flags.Unmarshaler.
func (c *Count) UnmarshalFlag(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not a count: write a whole number, 0 or more", s)
	}
	*c = Count{N: n, Set: true}
	return nil
}

// Range is how many processes (or anything counted) there may be: over
// Max or under Min is a breach. check-procs' -w/-c are Max, -W/-C Min.
type Range struct {
	WarnMax, CritMax Count
	WarnMin, CritMin Count
}

// Level is how badly a value breaches a threshold: 0 not, 1 warning, 2 critical.
type Level int

// The levels, which are also the check statuses' exit codes.
const (
	Fine     Level = 0
	Warning  Level = 1
	Critical Level = 2
)

// Judge returns the level of n and, when breached, what was expected:
// "expected at least 1", "expected at most 10".
func (r Range) Judge(n int) (Level, string) {
	switch {
	case r.CritMin.Set && n < r.CritMin.N:
		return Critical, fmt.Sprintf("expected at least %d", r.CritMin.N)
	case r.CritMax.Set && n > r.CritMax.N:
		return Critical, fmt.Sprintf("expected at most %d", r.CritMax.N)
	case r.WarnMin.Set && n < r.WarnMin.N:
		return Warning, fmt.Sprintf("expected at least %d", r.WarnMin.N)
	case r.WarnMax.Set && n > r.WarnMax.N:
		return Warning, fmt.Sprintf("expected at most %d", r.WarnMax.N)
	}
	return Fine, ""
}

// ParseRange reads a count range of one group: "N" (exactly N), "N.."
// (at least N), "..M" (at most M) or "N..M". A count outside it is
// critical.
func ParseRange(s string) (Range, error) {
	bad := fmt.Errorf("%q is not a count range: write N (exactly), N.. (at least), ..M (at most) or N..M", s)
	num := func(v string) (Count, error) {
		if v == "" {
			return Count{}, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Count{}, bad
		}
		return Count{N: n, Set: true}, nil
	}
	t := strings.TrimSpace(s)
	lo, hi, ranged := strings.Cut(t, "..")
	if !ranged {
		hi = lo
	}
	min, err := num(strings.TrimSpace(lo))
	if err != nil {
		return Range{}, err
	}
	max, err := num(strings.TrimSpace(hi))
	if err != nil {
		return Range{}, err
	}
	switch {
	case !min.Set && !max.Set:
		return Range{}, bad
	case min.Set && max.Set && min.N > max.N:
		return Range{}, fmt.Errorf("%q: the least is above the most", s)
	}
	return Range{CritMin: min, CritMax: max}, nil
}

// RangeNames are what a caller calls a Range's thresholds in its errors
// (its flags: -w, -c, -W, -C), and what it says after a value the user
// did not give.
type RangeNames struct {
	WarnMax, CritMax, WarnMin, CritMin string
	Default                            string
}

// Check returns an error for a range no count can satisfy, or in which
// a warning can never be reached, naming the thresholds as n says.
func (r Range) Check(n RangeNames) error {
	switch {
	case r.CritMin.Set && r.CritMax.Set && r.CritMin.N > r.CritMax.N:
		return fmt.Errorf("%s %d and %s %d leave no count that is not CRITICAL: %s (under) must not exceed %s (over)", n.CritMin, r.CritMin.N, n.CritMax, r.CritMax.N, n.CritMin, n.CritMax)
	case r.WarnMax.Set && r.CritMax.Set && r.WarnMax.N > r.CritMax.N:
		return fmt.Errorf("%s %d exceeds %s %d: the warning must come before the critical (%s 5 %s 10)", n.WarnMax, r.WarnMax.N, n.CritMax, r.CritMax.N, n.WarnMax, n.CritMax)
	case r.WarnMin.Set && !r.WarnMin.Default && r.CritMin.Set && !r.CritMin.Default && r.WarnMin.N < r.CritMin.N:
		return fmt.Errorf("%s %d is under %s %d: the warning must come before the critical (%s 2 %s 1)", n.WarnMin, r.WarnMin.N, n.CritMin, r.CritMin.N, n.WarnMin, n.CritMin)
	}
	// Every count must be able to be OK, or the check alerts for ever.
	// The default -C 1 with -w 0 is check-procs' idiom for "WARNING
	// when it runs at all", none running being CRITICAL: allowed.
	lo, loName := r.lowest(n)
	hi, hiName := r.highest(n)
	if loName != "" && hiName != "" && lo > hi && !(r.CritMin.Default && loName == r.CritMin.named(n.CritMin, n)) {
		fix := "lower the one or raise the other"
		if r.WarnMin.Default && loName == r.WarnMin.named(n.WarnMin, n) {
			fix = "add " + n.WarnMin + " 0 to allow none"
		}
		return fmt.Errorf("%s and %s leave no count that is OK: %s", loName, hiName, fix)
	}
	return nil
}

// lowest is the least count that breaches no under threshold.
func (r Range) lowest(n RangeNames) (int, string) {
	least, name := 0, ""
	for _, m := range []struct {
		c    Count
		name string
	}{{r.CritMin, n.CritMin}, {r.WarnMin, n.WarnMin}} {
		if m.c.Set && m.c.N > least {
			least, name = m.c.N, m.c.named(m.name, n)
		}
	}
	return least, name
}

// highest is the greatest count that breaches no over threshold.
func (r Range) highest(n RangeNames) (int, string) {
	most, name := 0, ""
	for _, m := range []struct {
		c    Count
		name string
	}{{r.CritMax, n.CritMax}, {r.WarnMax, n.WarnMax}} {
		if m.c.Set && (name == "" || m.c.N < most) {
			most, name = m.c.N, m.c.named(m.name, n)
		}
	}
	return most, name
}

func (c Count) named(name string, n RangeNames) string {
	s := fmt.Sprintf("%s %d", name, c.N)
	if c.Default {
		s += n.Default
	}
	return s
}

// Size is a number of bytes: "512MiB", "2G" (binary multiples: memory
// is counted in them), "1.5GiB", or plain bytes.
type Size struct {
	Bytes uint64
	text  string
}

var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"tb", 1 << 40},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseSize reads a size.
func ParseSize(s string) (Size, error) {
	t := strings.TrimSpace(s)
	num, mult := strings.ToLower(t), 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) || f*mult >= 1<<62 {
		return Size{}, fmt.Errorf("%q is not a size: write 512MiB, 2G or a number of bytes", s)
	}
	return Size{Bytes: uint64(f * mult), text: t}, nil
}

// UnmarshalFlag implements flags.Unmarshaler.
func (z *Size) UnmarshalFlag(s string) error {
	v, err := ParseSize(s)
	if err == nil {
		*z = v
	}
	return err
}

// String is the size as it was written.
func (z Size) String() string { return z.text }

// FormatBytes writes a byte count for a responder: 1.4GiB, 812MiB, 3KiB.
func FormatBytes(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f < 10 && i > 0 {
		return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0") + units[i]
	}
	return strconv.FormatFloat(math.Floor(f), 'f', 0, 64) + units[i]
}

// Percent is a percentage flag: "80", "80%", "12.5".
type Percent struct {
	Value float64
	Set   bool
}

// UnmarshalFlag implements flags.Unmarshaler.
func (p *Percent) UnmarshalFlag(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return fmt.Errorf("%q is not a percentage: write a number above 0, such as 80 or 80%%", s)
	}
	*p = Percent{Value: f, Set: true}
	return nil
}

// String is the percentage for a message: "80%".
func (p Percent) String() string { return strconv.FormatFloat(p.Value, 'f', -1, 64) + "%" }
