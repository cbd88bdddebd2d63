package threshold

import (
	"strings"
	"testing"
	"time"
)

func TestParseExpiry(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Expiry
	}{
		{"30", Expiry{left: 30 * Day, text: "30 days"}},
		{"0.5", Expiry{left: 12 * 3600, text: "0.5 days"}},
		{"1", Expiry{left: Day, text: "1 day"}},
		{" 14 ", Expiry{left: 14 * Day, text: "14 days"}},
		{"36h", Expiry{left: 36 * 3600, text: "36h"}},
		{"1.5h", Expiry{left: 90 * 60, text: "1.5h"}},
		{"0h", Expiry{left: 0, text: "0h"}},
		{"10d", Expiry{left: 10 * Day, text: "10 days"}},
		{"1d", Expiry{left: Day, text: "1 day"}},
		{"1.5d", Expiry{left: 36 * 3600, text: "1.5 days"}},
		{"20%", Expiry{percent: 20, isPct: true, text: "20%"}},
		{"0.5%", Expiry{percent: 0.5, isPct: true, text: "0.5%"}},
		{"0", Expiry{left: 0, text: "0 days"}},
		{"0%", Expiry{percent: 0, isPct: true, text: "0%"}},
		{"100%", Expiry{percent: 100, isPct: true, text: "100%"}},
		{"36500", Expiry{left: 36500 * Day, text: "36500 days"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseExpiry(tc.in)
			if err != nil {
				t.Fatalf("ParseExpiry(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseExpiry(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if got.String() != tc.want.text {
				t.Errorf("ParseExpiry(%q).String() = %q, want %q", tc.in, got.String(), tc.want.text)
			}
			if got.IsPercent() != tc.want.isPct {
				t.Errorf("ParseExpiry(%q).IsPercent() = %v, want %v", tc.in, got.IsPercent(), tc.want.isPct)
			}
		})
	}
}

func TestParseExpiryErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // in the error
	}{
		{"", "is not a threshold"},
		{"abc", `"abc" is not a threshold: write days (30, 0.5), a duration (36h, 10d) or a percentage`},
		{"-1", "is not a threshold"},
		{"-1d", "is not a threshold"},
		{"-36h", "is not a threshold"},
		{"101%", "is not a threshold"},
		{"-5%", "is not a threshold"},
		{"%", "is not a threshold"},
		{"d", "is not a threshold"},
		{"NaN", "is not a threshold"},
		{"NaN%", "is not a threshold"},
		{"nand", "is not a threshold"},
		{"Inf", "is not a threshold"},
		{"+Inf", "is not a threshold"},
		{"infd", "is not a threshold"},
		{"1e9", "more than 100 years"},
		{"1e9d", "more than 100 years"},
		{"36501", "more than 100 years"},
		{"36H", "is not a threshold"},
		{"10 days", "is not a threshold"},
		{"5x", "is not a threshold"},
		{"2m", `"2m" is ambiguous (minutes or months?): write days (60, 60d) or hours (36h)`},
		{"2M", "is ambiguous (minutes or months?)"},
		{"1h30m", "is ambiguous"},
		{"90s", `"90s" is in seconds, too fine for a certificate's lifetime: write days (30, 0.5) or hours (36h)`},
		{"500ms", "is in seconds"},
		{"h", "is not a threshold"},
		{"-2h", "is not a threshold"},
		{"1e9h", "more than 100 years"},
		{"2mo", "is not a threshold"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseExpiry(tc.in)
			if err == nil {
				t.Fatalf("ParseExpiry(%q) = %+v, want an error", tc.in, got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseExpiry(%q) error %q, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestUnmarshalFlag(t *testing.T) {
	e := MustExpiry("30")
	if err := e.UnmarshalFlag("20%"); err != nil {
		t.Fatalf("UnmarshalFlag(20%%): %v", err)
	}
	if e.String() != "20%" || !e.IsPercent() {
		t.Errorf("after UnmarshalFlag(20%%): %+v", e)
	}
	if err := e.UnmarshalFlag("lots"); err == nil {
		t.Errorf("UnmarshalFlag(lots) succeeded")
	}
	if e.String() != "20%" {
		t.Errorf("a failed UnmarshalFlag changed the value to %+v", e)
	}
}

func TestMustExpiryPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("MustExpiry(\"soon\") did not panic")
		}
	}()
	MustExpiry("soon")
}

func TestBreached(t *testing.T) {
	const life = 90 * Day
	for _, tc := range []struct {
		name           string
		threshold      string
		left, lifetime Seconds
		want           bool
	}{
		{"days above", "30", 31 * Day, life, false},
		{"days equal is not below", "30", 30 * Day, life, false},
		{"days just below", "30", 30*Day - Seconds(1), life, true},
		{"fraction of a day", "0.5", 11 * 3600, life, true},
		{"fraction of a day, above", "0.5", 13 * 3600, life, false},
		{"duration", "36h", 35 * 3600, life, true},
		{"duration, equal", "36h", 36 * 3600, life, false},
		{"d suffix", "10d", 9 * Day, life, true},
		{"zero: time left", "0", 0, life, false},
		{"zero: a second left", "0", Seconds(1), life, false},
		{"zero: expired", "0", -Seconds(1), life, true},
		{"percent above", "20%", 19 * Day, life, false},            // 21.1%
		{"percent below", "20%", 17 * Day, life, true},             // 18.9%
		{"percent exactly", "20%", 18 * Day, life, false},          // 20%
		{"percent of a short life", "50%", 2 * Day, 5 * Day, true}, // 40%
		{"zero percent", "0%", Seconds(1), life, false},
		{"zero percent, expired", "0%", -Seconds(1), life, true},
		{"hundred percent", "100%", life - Seconds(1), life, true},
		{"hundred percent, whole life left", "100%", life, life, false},
		{"percent, zero lifetime", "20%", 3600, 0, false},
		{"percent, zero lifetime, expired", "20%", -3600, 0, true},
		{"percent, negative lifetime", "20%", 3600, -Day, false},
		{"days ignore the lifetime", "30", 10 * Day, 0, true},
		// Past time.Duration's 292 years: 1950 to 2300, 78% left.
		{"percent of a 350-year lifetime", "85%", 274 * 365 * Day, 350 * 365 * Day, true},
		{"percent of a 350-year lifetime, above", "75%", 274 * 365 * Day, 350 * 365 * Day, false},
		{"days left past 292 years", "36500", 2900000 * Day, 2901000 * Day, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := MustExpiry(tc.threshold)
			if got := e.Breached(tc.left, tc.lifetime); got != tc.want {
				t.Errorf("%s: Breached(%v left, %v lifetime) = %v, want %v", tc.threshold, tc.left, tc.lifetime, got, tc.want)
			}
		})
	}
}

func TestCheckOrder(t *testing.T) {
	for _, tc := range []struct {
		name              string
		warning, critical string
		wantErr           bool
	}{
		{"days ordered", "30", "14", false},
		{"days equal", "14", "14", false},
		{"days reversed", "14", "30", true},
		{"durations of different units ordered", "3d", "48h", false},
		{"durations of different units reversed", "48h", "3d", true},
		{"fraction below whole", "1", "0.5", false},
		{"percent ordered", "20%", "5%", false},
		{"percent reversed", "5%", "20%", true},
		{"days and percent", "30", "50%", false},
		{"percent and days", "5%", "60", false},
		{"zero critical", "30", "0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, c := MustExpiry(tc.warning), MustExpiry(tc.critical)
			err := CheckOrder(w, c)
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Fatalf("CheckOrder(-w %s, -c %s) = %v, want error: %v", tc.warning, tc.critical, err, tc.wantErr)
			}
			if err != nil {
				for _, want := range []string{c.String(), w.String()} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("CheckOrder error %q does not mention %q", err, want)
					}
				}
				// The caller, which knows its flags, gives the example.
				if strings.Contains(err.Error(), "-w") {
					t.Errorf("CheckOrder error %q names a flag", err)
				}
			}
		})
	}
}

func TestBetween(t *testing.T) {
	start := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     Seconds
	}{
		{"a day", start, start.Add(24 * time.Hour), Day},
		{"backwards", start.Add(time.Second), start, -1},
		{"nanoseconds", start.Add(999999999), start.Add(time.Second + 1), 2e-9},
		{"past 292 years", start, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), Seconds(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix() - start.Unix())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Between(tc.from, tc.to)
			if d := got - tc.want; d > 1e-6 || d < -1e-6 {
				t.Errorf("Between = %v, want %v", got, tc.want)
			}
			if tc.name == "past 292 years" && got < 250*365*Day*32 {
				t.Errorf("Between = %v: overflowed", got)
			}
		})
	}
}
