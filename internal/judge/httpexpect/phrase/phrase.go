// Package phrase words what came back from an HTTP request the way every
// alert says it. It takes codes, strings and durations, not responses, so
// that a program that links no HTTP client (frontline, documenting the
// alerts) says it in the same words as the checks.
package phrase

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// StatusLine is "404 Not Found", as the server sent it (status), or the
// bare code when the server's line does not start with it.
func StatusLine(code int, status string) string {
	c := strconv.Itoa(code)
	if !strings.HasPrefix(status, c) {
		return c
	}
	return textfmt.Sanitize(textfmt.Shorten(status, 60))
}

// Unexpected says that a status is not one expected: "status 503 Service
// Unavailable, expected 200-399".
func Unexpected(statusLine, expected string) string {
	return fmt.Sprintf("status %s, expected %s", statusLine, expected)
}

// Timings is the time of a response, phase by phase; a plain http://
// response has no tls phase (tls is zero).
func Timings(dns, connect, tls, ttfb, body, total time.Duration) string {
	parts := []string{"dns " + textfmt.Seconds(dns), "connect " + textfmt.Seconds(connect)}
	if tls > 0 {
		parts = append(parts, "tls "+textfmt.Seconds(tls))
	}
	parts = append(parts, "ttfb "+textfmt.Seconds(ttfb), "body "+textfmt.Seconds(body), "total "+textfmt.Seconds(total))
	return strings.Join(parts, ", ")
}

// One is the whole of the one request's response, as an alert's first
// line closes: "GET https://h/ 503 Service Unavailable; dns 0.00s, ...".
func One(target, status, timings string) string {
	return fmt.Sprintf("%s %s; %s", target, status, timings)
}

// Failure is the first line's finding of the one request: what failed,
// then the response it failed on.
func Failure(text, one string) string { return text + " (" + one + ")" }

// Mapped says that a status was decided by a mapping of the status spec,
// as written: "status 503 Service Unavailable (503=warning)".
func Mapped(statusLine, rule string) string {
	return fmt.Sprintf("status %s (%s)", statusLine, rule)
}

// Step names step i (from 1) of a journey of n steps, as every line
// about it starts: `login step 1/3 "sign in"`.
func Step(journey string, i, n int, name string) string {
	return fmt.Sprintf("%s step %d/%d %q", journey, i, n, name)
}

// StepResult is what came back to a journey's step: the request, where it
// ended up, the code and the total time, "GET https://h/api/me 200, total
// 0.41s".
func StepResult(target string, code int, total time.Duration) string {
	return fmt.Sprintf("%s %d, total %s", target, code, textfmt.Seconds(total))
}

// StepFailure is a step's finding: the step, what failed, then what came
// back.
func StepFailure(step, text, result string) string {
	return fmt.Sprintf("%s: %s (%s)", step, text, result)
}

// NotRun ends the first line of a failure that stops a journey of n steps
// at step i (from 1): "; steps 3-5 not run", "" at the last step. A
// responder must not read the steps after it as passed.
func NotRun(i, n int) string {
	switch {
	case i+1 == n:
		return fmt.Sprintf("; step %d not run", n)
	case i+1 < n:
		return fmt.Sprintf("; steps %d-%d not run", i+1, n)
	}
	return ""
}
