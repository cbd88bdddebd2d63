package testutil

import (
	"regexp"
	"testing"
	"time"
)

func TestTimedOutAfter(t *testing.T) {
	re := regexp.MustCompile(TimedOutAfter(time.Second))
	for text, want := range map[string]bool{
		"timed out after 1.0s":  true,
		"timed out after 0.99s": true,
		"timed out after 0.50s": true,
		"timed out after 0.49s": false,
		"timed out after 1.1s":  false,
	} {
		if got := re.MatchString(text); got != want {
			t.Errorf("TimedOutAfter(1s) matches %q: %v, want %v", text, got, want)
		}
	}
}
