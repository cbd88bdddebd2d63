// Package textfmt shapes text for a check's one-line message: it escapes
// what a peer sent, cuts what is long and words counts and durations the
// way a responder reads them.
package textfmt

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Shorten cuts s to at most max runes, an ellipsis marking the cut. Text
// a peer or a user sent (a certificate's name, a body, a status line) is
// quoted in messages the agent cuts at 1,024 runes: a long one must not
// crowd out the verdict.
func Shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	// Cut after max-1 runes with the bytes kept as they came: an invalid
	// byte counts as one rune, as RuneCountInString counts it, and stays
	// invalid for Sanitize to escape, instead of turning into a real U+FFFD.
	cut := 0
	for range max - 1 {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return s[:cut] + "…"
}

// Age rounds a duration the way a responder reads it: 40s, 3m10s, 2h,
// 2h5m. Seconds matter only within the hour.
func Age(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	if d < time.Hour {
		d = d.Round(time.Second)
	} else {
		d = d.Round(time.Minute)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") { // 3m0s, 2h5m0s
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") { // 2h0m
		s = s[:len(s)-2]
	}
	return s
}

// Plural returns noun, with an "s" unless n is 1.
func Plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// Seconds formats a duration the way messages show times: "0.41s", "10.0s".
func Seconds(d time.Duration) string {
	s := d.Seconds()
	if s < 0.995 {
		return fmt.Sprintf("%.2fs", s)
	}
	return fmt.Sprintf("%.1fs", s)
}
