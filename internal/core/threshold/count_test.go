package threshold

import "testing"

func set(n int) Count { return Count{N: n, Set: true} }

func TestRangeJudge(t *testing.T) {
	def := Range{CritMin: set(1)}
	both := Range{WarnMax: set(5), CritMax: set(10), WarnMin: set(3), CritMin: set(1)}
	for _, tc := range []struct {
		r     Range
		n     int
		level Level
		text  string
	}{
		{def, 0, Critical, "expected at least 1"},
		{def, 1, Fine, ""},
		{def, 1000, Fine, ""},
		{both, 0, Critical, "expected at least 1"},
		{both, 2, Warning, "expected at least 3"},
		{both, 4, Fine, ""},
		{both, 6, Warning, "expected at most 5"},
		{both, 11, Critical, "expected at most 10"},
		{Range{CritMax: set(0)}, 1, Critical, "expected at most 0"},
	} {
		if level, text := tc.r.Judge(tc.n); level != tc.level || text != tc.text {
			t.Errorf("%+v.Judge(%d) = %d %q, want %d %q", tc.r, tc.n, level, text, tc.level, tc.text)
		}
	}
	for _, bad := range []Range{{CritMin: set(3), CritMax: set(2)}, {WarnMax: set(5), CritMax: set(2)}, {WarnMin: set(1), CritMin: set(2)}, {WarnMin: set(5), WarnMax: set(3)}, {CritMin: set(4), WarnMax: set(2)}, {WarnMin: Count{N: 1, Set: true, Default: true}, CritMax: set(0)}} {
		if bad.Check(testNames) == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	dflt := Count{N: 1, Set: true, Default: true}
	for _, good := range []Range{{WarnMin: set(0), CritMin: dflt}, {WarnMin: set(4), CritMin: dflt, WarnMax: set(4)}, {WarnMin: set(0), CritMin: set(0), CritMax: set(0)}, {CritMin: dflt, WarnMax: set(0)}} {
		if err := good.Check(testNames); err != nil {
			t.Errorf("%+v refused: %v", good, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"512MiB", 512 << 20}, {"2G", 2 << 30}, {"1.5GiB", 3 << 29}, {"100", 100}, {"64k", 64 << 10}, {"1gb", 1 << 30},
	} {
		got, err := ParseSize(tc.in)
		if err != nil || got.Bytes != tc.want || got.String() != tc.in {
			t.Errorf("ParseSize(%q) = %d %q, %v; want %d", tc.in, got.Bytes, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0", "-1G", "2X", "G", "NaN", "1e30G"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	for n, want := range map[uint64]string{0: "0B", 1023: "1023B", 1536: "1.5KiB", 1503238554: "1.4GiB", 812 << 20: "812MiB", 10 << 30: "10GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPercentAndCount(t *testing.T) {
	var p Percent
	if err := p.UnmarshalFlag("80%"); err != nil || p.Value != 80 || p.String() != "80%" {
		t.Errorf("80%%: %+v %v", p, err)
	}
	for _, bad := range []string{"", "0", "-5", "x%"} {
		if (&Percent{}).UnmarshalFlag(bad) == nil {
			t.Errorf("percent %q accepted", bad)
		}
	}
	var c Count
	if err := c.UnmarshalFlag("0"); err != nil || !c.Set || c.N != 0 {
		t.Errorf("count 0: %+v %v", c, err)
	}
	for _, bad := range []string{"", "-1", "1.5", "x"} {
		if (&Count{}).UnmarshalFlag(bad) == nil {
			t.Errorf("count %q accepted", bad)
		}
	}
}

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Range
		err  bool
	}{
		{in: "1", want: Range{CritMin: Count{N: 1, Set: true}, CritMax: Count{N: 1, Set: true}}},
		{in: "1..", want: Range{CritMin: Count{N: 1, Set: true}}},
		{in: "..3", want: Range{CritMax: Count{N: 3, Set: true}}},
		{in: "2..4", want: Range{CritMin: Count{N: 2, Set: true}, CritMax: Count{N: 4, Set: true}}},
		{in: "0", want: Range{CritMin: Count{N: 0, Set: true}, CritMax: Count{N: 0, Set: true}}},
		{in: "..", err: true},
		{in: "", err: true},
		{in: "-1", err: true},
		{in: "4..2", err: true},
		{in: "1...3", err: true},
	} {
		got, err := ParseRange(tc.in)
		if (err != nil) != tc.err || err == nil && got != tc.want {
			t.Errorf("ParseRange(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

var testNames = RangeNames{WarnMax: "-w", CritMax: "-c", WarnMin: "-W", CritMin: "-C", Default: " (the default)"}
