package testutil

import (
	"regexp"
	"testing"
)

func TestDeadlineEnded(t *testing.T) {
	re := regexp.MustCompile("^" + DeadlineEnded("smtp://127.0.0.1:25", "starttls", "127.0.0.1:25") + "$")
	for text, want := range map[string]bool{
		"smtp://127.0.0.1:25: starttls: timed out after 1.0s":                                  true,
		"smtp://127.0.0.1:25: starttls: timed out after 0.49s":                                 true,
		"smtp://127.0.0.1:25: starttls: timed out after 12.3s":                                 true,
		"starttls 127.0.0.1:25: still in progress after 2.6s, past the 2s deadline":            true,
		"starttls 127.0.0.1:25: still in progress after 0.95s, past the 1.5s deadline":         true,
		"smtp://127.0.0.1:25: tls: timed out after 1.0s":                                       false,
		"smtp://127.0.0.1:25: starttls: connection refused":                                    false,
		"tls 127.0.0.1:25: still in progress after 2.6s, past the 2s deadline":                 false,
		"starttls 127.0.0.1:25: stopped after 2.6s (the check was terminated)":                 false,
		"smtp://127.0.0.1:25: starttls: timed out after 1.0s, and then something else as well": false,
	} {
		if got := re.MatchString(text); got != want {
			t.Errorf("DeadlineEnded matches %q: %v, want %v", text, got, want)
		}
	}
}
