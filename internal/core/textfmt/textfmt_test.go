package textfmt

import (
	"strings"
	"testing"
	"time"
)

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"R11", 64, "R11"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"日本語のテキスト", 4, "日本語…"},
		{strings.Repeat("x", 300), 64, strings.Repeat("x", 63) + "…"},
		{"abc", 0, ""},
		{"ab\xffcdef", 4, "ab\xff…"},
		{"ab\xffc", 4, "ab\xffc"},
	} {
		if got := Shorten(tc.in, tc.max); got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{40*time.Second + 400*time.Millisecond, "40s"},
		{3 * time.Minute, "3m"},
		{3*time.Minute + 10*time.Second, "3m10s"},
		{2 * time.Hour, "2h"},
		{2*time.Hour + 5*time.Minute + 20*time.Second, "2h5m"},
		{26 * time.Hour, "26h"},
	} {
		if got := Age(tc.in); got != tc.want {
			t.Errorf("Age(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "targets"}, {1, "target"}, {2, "targets"}} {
		if got := Plural(tc.n, "target"); got != tc.want {
			t.Errorf("Plural(%d, \"target\") = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0.00s"},
		{5 * time.Millisecond, "0.01s"},
		{410 * time.Millisecond, "0.41s"},
		{990 * time.Millisecond, "0.99s"},
		{999 * time.Millisecond, "1.0s"}, // not "1.00s"
		{time.Second, "1.0s"},
		{2 * time.Second, "2.0s"},
		{10 * time.Second, "10.0s"},
		{12345 * time.Millisecond, "12.3s"},
	} {
		if got := Seconds(tc.in); got != tc.want {
			t.Errorf("Seconds(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
