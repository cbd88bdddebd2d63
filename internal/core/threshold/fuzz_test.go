package threshold

import "testing"

func FuzzParseExpiry(f *testing.F) {
	for _, seed := range []string{"30", "0.5", "10d", "36h", "1.5h", "20%", "100%", "2m", "90s", "1h30m", "1e9", "NaN%", "-1d", " 14 ", "", "%", "d", "h", "36501", "0x1p-2"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpiry(s)
		if err != nil {
			return
		}
		if e.String() == "" {
			t.Fatalf("ParseExpiry(%q) has no text", s)
		}
		if e.IsPercent() && (e.percent < 0 || e.percent > 100) || !e.IsPercent() && (e.left < 0 || e.left > 100*366*Day) {
			t.Fatalf("ParseExpiry(%q) = %+v: out of range", s, e)
		}
		// A valid threshold behaves: no panic, and monotonic in time left.
		if e.Breached(e.left+3600, 365*Day) && !e.Breached(e.left-3600, 365*Day) {
			t.Fatalf("ParseExpiry(%q): breached with more time left but not with less", s)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	for _, seed := range []string{"1", "1..", "..3", "2..4", "0", "..", "", "4..2", "1...3", " 2 .. 5 ", "-1", "99999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			return
		}
		if !r.CritMin.Set && !r.CritMax.Set || r.WarnMin.Set || r.WarnMax.Set {
			t.Fatalf("ParseRange(%q) = %+v: no bound, or a warning bound", s, r)
		}
		// Some count is always fine: a range that alerts for ever is an error.
		n := r.CritMin.N
		if level, _ := r.Judge(n); level != Fine {
			t.Fatalf("ParseRange(%q) = %+v: its least count %d is %v", s, r, n, level)
		}
	})
}
