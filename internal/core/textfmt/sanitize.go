package textfmt

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize escapes what could break a message out of its line or rewrite
// the terminal it is read on: C0 controls (newline, carriage return, tab,
// ESC...), DEL, C1 controls, U+2028/U+2029 and bytes that are not UTF-8.
// They are shown, not dropped ("\n", "\x1b", "\u2028"), so a responder sees
// that the text had them. Text from a peer or a user (a certificate's CN,
// a command line, a response value) passes through here on its way into a
// message, so one finding is one line and no peer can forge a line.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if unsafe(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == utf8.RuneError
}
