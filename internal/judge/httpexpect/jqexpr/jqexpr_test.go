package jqexpr

import (
	"strings"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		err        string // "" when the body is JSON
	}{
		{"object", `{"a":1}`, ""},
		{"white space around", "\r\n {\"a\":1} \t\n", ""},
		{"empty", " \n", "body is empty, not JSON"},
		{"two values", `{} {}`, "body is not JSON (more than one value)"},
		{"text after", "{\"status\":\"ok\"}\nFatal error: database down", "body is not JSON (text after the value, at byte 16)"},
		{"bracket after", `{"a":1}]`, "body is not JSON (text after the value, at byte 7)"},
		{"no-break space after", "{}\u00a0", "body is not JSON (text after the value, at byte 2)"},
		{"cut short", `{"a":`, "body is not JSON (unexpected EOF)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeJSON([]byte(tc.body))
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("DecodeJSON(%q) = %v", tc.body, err)
			case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
				t.Errorf("DecodeJSON(%q) = %v, want %q", tc.body, err, tc.err)
			}
		})
	}
}
