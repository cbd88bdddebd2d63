package cli

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"10", 10 * time.Second},
		{"2.5", 2500 * time.Millisecond},
		{"0", 0},
		{" 7 ", 7 * time.Second},
		{"10s", 10 * time.Second},
		{"1m30s", 90 * time.Second},
		{"250ms", 250 * time.Millisecond},
		{"1h", time.Hour},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if err != nil {
				t.Fatalf("ParseDuration(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseDuration(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "is not a duration"},
		{"soon", `"soon" is not a duration: write 10s, 1m30s or a number of seconds`},
		{"-1", "is out of range"},
		{"-1s", "is not a duration"},
		{"NaN", "is out of range"},
		{"inf", "is out of range"},
		{"-Inf", "is out of range"},
		{"1e300", "is out of range"},
		{"10 s", "is not a duration"},
		{"10x", "is not a duration"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %v, want an error", tc.in, got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseDuration(%q) error %q, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestDurationUnmarshalFlag(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"10s", 10 * time.Second, ""},
		{"0.5", 500 * time.Millisecond, ""},
		{"0", 0, "is not a positive duration"},
		{"0s", 0, "is not a positive duration"},
		{"-3", 0, "is out of range"},
		{"later", 0, "is not a duration"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d := Duration(time.Minute)
			err := d.UnmarshalFlag(tc.in)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("UnmarshalFlag(%q): %v", tc.in, err)
			case tc.wantErr == "" && time.Duration(d) != tc.want:
				t.Errorf("UnmarshalFlag(%q) set %v, want %v", tc.in, time.Duration(d), tc.want)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("UnmarshalFlag(%q) error %v, want one containing %q", tc.in, err, tc.wantErr)
			case tc.wantErr != "" && time.Duration(d) != time.Minute:
				t.Errorf("a failed UnmarshalFlag(%q) changed the value to %v", tc.in, time.Duration(d))
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	if got := Duration(90 * time.Second).String(); got != "1m30s" {
		t.Errorf("Duration(90s).String() = %q, want 1m30s", got)
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"10", "2.5", "0", " 7 ", "10s", "1m30s", "250ms", "1h", "-1", "NaN", "inf", "1e300", "10 s", "soon", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") && !strings.ContainsAny(s, "\n\r") {
				t.Fatalf("error for %q spans lines: %v", s, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v: negative", s, d)
		}
		var v Duration
		if err := v.UnmarshalFlag(s); (err == nil) != (d > 0) {
			t.Fatalf("UnmarshalFlag(%q) = %v, but ParseDuration gave %v", s, err, d)
		}
	})
}
