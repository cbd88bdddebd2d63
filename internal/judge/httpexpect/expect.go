// Package httpexpect judges an HTTP response against what a check expects
// of it: the status, the body (patterns, literals, jq expressions), headers
// and the time it took. One-request mode and each step of a journey share
// it, so both say the same thing about the same failure.
//
// It links gojq: only check-http-e2e may import it.
package httpexpect

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/jqexpr"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/phrase"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/spec"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// Expect is what a response must be. The zero Expect checks the default
// status (200-399) only.
type Expect struct {
	Status spec.Status
	// Patterns must match the body; Inverted must not.
	Patterns, Inverted []*regexp.Regexp
	// Contains must occur in the body, literally; NotContains must not.
	Contains, NotContains []string
	// JQ expressions over the JSON body must each yield true.
	JQ      []JQ
	Headers []HeaderMatch
	// TimeWarning and TimeCritical bound the total time, redirects
	// included; zero is no bound.
	TimeWarning, TimeCritical time.Duration
	// Mask hides secrets in text quoted from the response. It runs before
	// a quote is cut short or escaped, so that a cut cannot leave part of
	// a secret shorter than secret.Run; the runner masks the whole
	// message again on its way out, which catches any secret.Run bytes of
	// a longer one however it was cut. Nil quotes as received.
	Mask func(string) string
}

func (e *Expect) mask() func(string) string {
	if e.Mask == nil {
		return func(s string) string { return s }
	}
	return e.Mask
}

// HeaderMatch requires a response header to match a regular expression
// (spec reads it).
type HeaderMatch = spec.HeaderMatch

// ParseHeaderMatch reads "Name: RE" (--header-match).
func ParseHeaderMatch(s string) (HeaderMatch, error) { return spec.ParseHeaderMatch(s) }

// Check returns the expectations resp does not meet, each as a finding
// that says what was expected and what came back: CRITICAL, or WARNING for
// a status mapped to warning or a time over TimeWarning. None means
// every expectation is met.
func (e *Expect) Check(resp *httpprobe.Response) []check.Finding {
	return e.CheckContext(context.Background(), resp)
}

// CheckContext is Check with a context that bounds the jq expressions (an
// expression can loop: `repeat(.)`).
func (e *Expect) CheckContext(ctx context.Context, resp *httpprobe.Response) []check.Finding {
	defer inflight.Begin(ctx, "judging the response of "+showURL(resp.URL), check.CRITICAL)()
	var out []check.Finding
	mask := e.mask()
	fail := func(s check.Status, format string, args ...any) {
		out = append(out, check.Finding{Status: s, Text: fmt.Sprintf(format, args...)})
	}
	state, rule := e.Status.Decide(resp.StatusCode)
	if state != check.OK {
		says := ""
		if text := PageText(resp, mask); text != "" {
			says = fmt.Sprintf("; page says %q", text)
		}
		if rule != "" {
			fail(state, "%s%s", phrase.Mapped(statusLine(resp), rule), says)
		} else {
			fail(state, "%s%s", phrase.Unexpected(statusLine(resp), e.Status.Expected()), says)
		}
	}
	if state == check.CRITICAL {
		// Not the page expected: what its headers and body lack is the
		// same cause said again, one line each. The time is another.
		e.anyStatusFailures(resp, fail)
		return out
	}
	for _, h := range e.Headers {
		values := resp.Header.Values(h.Name)
		if len(values) == 0 {
			fail(check.CRITICAL, "header %s missing, expected to match %q", h.Name, h.RE.String())
			continue
		}
		if !anyMatch(h.RE, values) {
			fail(check.CRITICAL, "header %s %s does not match %q", h.Name, headerValue(h.Name, values, mask), h.RE.String())
		}
	}

	// Every failed body assertion quotes the same description: it is
	// worked out once, as it reads and masks the page.
	describe := sync.OnceValue(func() string { return DescribeBody(resp, mask) })
	bodyFail := func(format string, args ...any) {
		fail(check.CRITICAL, "%s (%s)", fmt.Sprintf(format, args...), describe())
	}
	// The body is not copied to a string: it may be tens of MiB.
	for _, s := range e.Contains {
		if !bytes.Contains(resp.Body, []byte(s)) {
			bodyFail("body does not contain %q", s)
		}
	}
	for _, s := range e.NotContains {
		if bytes.Contains(resp.Body, []byte(s)) {
			fail(check.CRITICAL, "body contains %q, expected not to (%s)", s, describeMatch(resp, mask, func(b string) []int {
				if i := strings.Index(b, s); i >= 0 {
					return []int{i, i + len(s)}
				}
				return nil
			}))
		}
	}
	for _, re := range e.Patterns {
		if !re.Match(resp.Body) {
			bodyFail("body does not match %q", re.String())
		}
	}
	for _, re := range e.Inverted {
		if re.Match(resp.Body) {
			fail(check.CRITICAL, "body matches %q, expected not to (%s)", re.String(), describeMatch(resp, mask, re.FindStringIndex))
		}
	}
	if len(e.JQ) > 0 {
		doc, err := DecodeJSONContext(ctx, resp)
		for _, j := range e.JQ {
			if err != nil {
				bodyFail("jq '%s': %v", j.String(), err)
				continue
			}
			end := track(ctx, j, resp)
			got, err := j.EvalMasked(ctx, doc, mask)
			end()
			switch {
			case err != nil:
				bodyFail("jq '%s' failed: %v", j.String(), err)
			case got != "" && resp.Truncated:
				bodyFail("jq '%s' got %s", j.String(), got)
			case got != "":
				fail(check.CRITICAL, "jq '%s' got %s", j.String(), got)
			}
		}
	}

	e.anyStatusFailures(resp, fail)
	return out
}

// anyStatusFailures are judged whatever the status: a downgrade to
// cleartext and the total time.
func (e *Expect) anyStatusFailures(resp *httpprobe.Response, fail func(check.Status, string, ...any)) {
	mask := e.mask()
	if d := resp.Downgrade; d != nil && len(d.Dropped) > 0 {
		// Whatever the status, the service sends its users' credentials
		// toward cleartext: a finding of its own.
		fail(check.WARNING, "redirect downgraded to cleartext, %s -> %s: %s not sent over http://",
			mask(showURL(d.From)), mask(showURL(d.To)), strings.Join(d.Dropped, ", "))
	}

	total := resp.Timings.Total
	switch {
	case e.TimeCritical > 0 && total > e.TimeCritical:
		fail(check.CRITICAL, "total %s over critical %s", textfmt.Seconds(total), textfmt.Seconds(e.TimeCritical))
	case e.TimeWarning > 0 && total > e.TimeWarning:
		fail(check.WARNING, "total %s over warning %s", textfmt.Seconds(total), textfmt.Seconds(e.TimeWarning))
	}
}

func anyMatch(re *regexp.Regexp, values []string) bool {
	for _, v := range values {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// headerValue quotes what a header carried, *** for credentials.
func headerValue(name string, values []string, mask func(string) string) string {
	if secret.SecretHeader(name) {
		return secret.Mask
	}
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(textfmt.Shorten(mask(secret.RedactHeader(name, v)), 80))
	}
	return strings.Join(q, ", ")
}

// statusLine is "404 Not Found", as the server sent it.
func statusLine(resp *httpprobe.Response) string {
	return phrase.StatusLine(resp.StatusCode, resp.Status)
}

// DescribeBody says what the body was, for a body assertion that failed: its
// size, that it was cut (what was looked for may lie beyond the cut), and
// what the page says went wrong (PageText), or else its start. mask (nil
// for none) hides secrets before any text is cut short.
func DescribeBody(resp *httpprobe.Response, mask func(string) string) string {
	b := bodySize(resp)
	if text := PageText(resp, mask); text != "" {
		return fmt.Sprintf("%s, page says %q", b, text)
	}
	if len(resp.Body) > 0 {
		b += fmt.Sprintf(": %q", textfmt.Shorten(strings.Join(strings.Fields(maskStart(resp.Body, mask)), " "), 60))
	}
	return b
}

// maskStart is the first 200 bytes of body with secrets masked. What is
// masked reaches well past byte 200 (a masked secret leaves room for
// more of the body), but not to the end of a body of megabytes: a cut
// cannot leave secret.Run bytes of a long secret unmasked anyway.
func maskStart(body []byte, mask func(string) string) string {
	if mask == nil {
		return string(body[:min(len(body), 200)])
	}
	s := mask(string(body[:min(len(body), maskedPrefix)]))
	return s[:min(len(s), 200)]
}

// maskedPrefix is how much of a long text quoted in a message is masked
// before it is cut to a few dozen runes, as jq values are.
const maskedPrefix = jqexpr.MaskedPrefix

// showURL is a URL as a message prints it: no user info, secret-looking
// query values hidden.
func showURL(u *url.URL) string {
	if u == nil {
		return "the response"
	}
	c := *u
	c.User = nil
	return secret.RedactURL(c.String())
}
