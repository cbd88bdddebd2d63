// Package httpreq holds what a request's parts must be before an HTTP
// client is asked to send them: header names and values net/http would
// refuse, and the caps on the body read and the redirects followed.
// httpprobe sends within them; the checks of command lines and scenario
// files hold what a user wrote to them where no client is linked
// (frontline checking a catalog), so that both refuse the same things in
// the same words.
package httpreq

import (
	"errors"
	"fmt"
	"strings"
)

// ValidHeaderName reports whether s is a header name: an HTTP token.
func ValidHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

// ValidMethod reports whether m can be sent as a request method: letters,
// - and _ (GET, PROPFIND, M-SEARCH).
func ValidMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// CheckHeaderValue refuses what net/http would refuse to send in a header
// value (a line break, another control character), so that it is found
// where it is written rather than reported as a failure to connect.
func CheckHeaderValue(v string) error {
	for _, c := range []byte(v) {
		switch {
		case c == '\r' || c == '\n':
			return errors.New("a header value cannot hold a line break")
		case c < ' ' && c != '\t' || c == 0x7f:
			return fmt.Errorf("a header value cannot hold the control character %q", c)
		}
	}
	return nil
}

// MaxBodyLimit is the most a probe reads of a body: the body is held in
// memory, decoded (a gzip body inflates a thousandfold) and, for jq,
// parsed, all within the memory a check may take.
const MaxBodyLimit = 16 << 20

// CheckMaxBody refuses a body cap outside 1 to MaxBodyLimit bytes. Both
// one-request mode and a scenario read their cap through it.
func CheckMaxBody(n int64) error {
	if n < 1 || n > MaxBodyLimit {
		return fmt.Errorf("%d: give a number of bytes from 1 to %d (16 MiB; the body is held in memory)", n, MaxBodyLimit)
	}
	return nil
}

// CheckMaxRedirects refuses a negative redirect count.
func CheckMaxRedirects(n int) error {
	if n < 0 {
		return fmt.Errorf("%d: give 0 or more (0 judges the first response, redirect or not)", n)
	}
	return nil
}
