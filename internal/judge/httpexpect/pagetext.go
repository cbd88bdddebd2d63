package httpexpect

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// maxPageText bounds the error text quoted from a page.
const maxPageText = 100

// The expressions are compiled on first use: most runs never read a
// page's text, and compiling them is a good part of a run's start-up.
var (
	// errorElement is an element a page marks as an error message:
	// Django's errornote and errorlist, Rails' error_explanation,
	// Bootstrap's alert-danger, role="alert".
	errorElement = lazyRegexp(`(?is)<([a-z][a-z0-9]*)\b[^>]*?\b(?:class|id|role)\s*=\s*["']?[^"'>]*?(?:error|alert|danger|invalid)[^>]*>`)
	// hidden is markup whose text no user sees.
	hidden = lazyRegexp(`(?is)<(script|style|head|title|template|noscript)\b.*?</(?:script|style|head|title|template|noscript)\s*>|<!--.*?-->`)
	tag    = lazyRegexp(`(?s)<[^>]*>`)
	// notText are elements an error class on which does not make their
	// content an error message (a whole page, an input field).
	notText = map[string]bool{"html": true, "body": true, "main": true, "form": true, "input": true, "link": true, "meta": true, "script": true, "style": true, "img": true}
)

// PageText is what the page says went wrong, as a user would read it: the
// text of the first element marked as an error (class, id or role error,
// alert, danger, invalid), the message of a JSON error body, or, for a
// status of 400 or more, the start of the visible text. Empty when it
// says nothing of the kind. mask (nil for none) hides secrets before the
// text is cut short.
func PageText(resp *httpprobe.Response, mask func(string) string) string {
	if mask == nil {
		mask = func(s string) string { return s }
	}
	// Only the page's start is read: a page's error message is near its
	// top, and masking a page takes many times its size in memory (each
	// escaped form is unescaped beside it), which for megabytes meets a
	// check's memory cap and would lose the assertion that failed.
	text := pageText(resp, mask(string(resp.Body[:min(len(resp.Body), pageTextScan)])))
	if text == "" {
		return ""
	}
	// The markup is gone and entities decoded: a secret the page held
	// escaped is masked again in its plain form.
	return textfmt.Shorten(mask(text), maxPageText)
}

// pageTextScan is how much of a body PageText reads.
const pageTextScan = 256 << 10

func pageText(resp *httpprobe.Response, body string) string {
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	trimmed := strings.TrimSpace(body)
	switch {
	case strings.Contains(ct, "json") || strings.HasPrefix(trimmed, "{") && !strings.Contains(ct, "html"):
		return jsonMessage([]byte(trimmed), resp.StatusCode >= 400)
	case strings.Contains(ct, "html") || strings.HasPrefix(trimmed, "<"):
		return htmlText(body, resp.StatusCode >= 400)
	case resp.StatusCode >= 400:
		for _, l := range strings.Split(body, "\n") {
			if l = strings.Join(strings.Fields(l), " "); l != "" {
				return l
			}
		}
	}
	return ""
}

// htmlText is the text of the first error element, or with anyText the
// start of the visible text.
func htmlText(body string, anyText bool) string {
	visible := hidden().ReplaceAllString(body, " ")
	for _, loc := range errorElement().FindAllStringSubmatchIndex(visible, 20) {
		name := strings.ToLower(visible[loc[2]:loc[3]])
		open := strings.ToLower(visible[loc[0]:loc[1]])
		// A template for errors the page's script may show later.
		if notText[name] || strings.Contains(open, "display:none") || strings.Contains(open, "display: none") || strings.Contains(open, " hidden") {
			continue
		}
		inner := visible[loc[1]:]
		if end := strings.Index(strings.ToLower(inner), "</"+name); end >= 0 {
			inner = inner[:end]
		}
		if t := plain(inner); t != "" {
			return t
		}
	}
	if !anyText {
		return ""
	}
	return plain(visible)
}

// plain is markup as text: tags dropped, entities decoded, runs of space
// made one.
func plain(markup string) string {
	s := html.UnescapeString(tag().ReplaceAllString(markup, " "))
	return strings.Join(strings.Fields(s), " ")
}

// jsonMessage reads the usual fields of a JSON error:
// {"error": "..."}, {"error": {"message": "..."}}, and with failed (a
// status of 400 or more) {"message": "..."}, which an answer that worked
// may carry too.
func jsonMessage(body []byte, failed bool) string {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	keys := []string{"error", "errors", "error_description"}
	if failed {
		keys = append(keys, "message", "detail", "title")
	}
	for depth := 0; depth < 2 && doc != nil; depth++ {
		var next map[string]any
		for _, k := range keys {
			switch v := doc[k].(type) {
			case string:
				if v = strings.Join(strings.Fields(v), " "); v != "" {
					return v
				}
			case map[string]any:
				if next == nil {
					next = v
				}
			case []any:
				if len(v) > 0 {
					if s, ok := v[0].(string); ok && s != "" {
						return s
					}
					if m, ok := v[0].(map[string]any); ok && next == nil {
						next = m
					}
				}
			}
		}
		doc = next
	}
	return ""
}

// excerptContext is how much of the body either side of a match is shown.
const excerptContext = 40

// describeMatch says where in the body text that should not be there was
// found: the body's size and the text around the match, wherever it is
// (the start of a page rarely shows it). find locates the match
// ([start, end), or nil). Only a window of maskedPrefix bytes either side
// of it is masked, not the whole body (see PageText), and the match is
// looked for again in the masked window, so that no cut falls inside a
// secret; when masking hid it, the body is described as DescribeBody does.
func describeMatch(resp *httpprobe.Response, mask func(string) string, find func(string) []int) string {
	raw := string(resp.Body)
	at := find(raw)
	if at == nil {
		return DescribeBody(resp, mask)
	}
	lo, hi := max(0, at[0]-maskedPrefix), min(len(raw), at[1]+maskedPrefix)
	body := raw[lo:hi]
	if mask != nil {
		body = mask(body)
	}
	loc := find(body)
	if loc == nil {
		return DescribeBody(resp, mask)
	}
	from, to := loc[0]-excerptContext, loc[1]+excerptContext
	prefix, suffix := "…", "…"
	if from <= 0 && lo == 0 {
		from, prefix = 0, ""
	}
	from = max(from, 0)
	if to >= len(body) && hi == len(raw) {
		to, suffix = len(body), ""
	}
	to = min(to, len(body))
	for from > 0 && !utf8.RuneStart(body[from]) {
		from--
	}
	for to < len(body) && !utf8.RuneStart(body[to]) {
		to++
	}
	excerpt := prefix + strings.Join(strings.Fields(body[from:to]), " ") + suffix
	return fmt.Sprintf("%s, around it: %q", bodySize(resp), excerpt)
}

// bodySize is "body 1234 bytes", or "body cut at N bytes".
func bodySize(resp *httpprobe.Response) string {
	n := len(resp.Body)
	if resp.Truncated {
		return fmt.Sprintf("body cut at %d bytes", n)
	}
	return fmt.Sprintf("body %d %s", n, textfmt.Plural(n, "byte"))
}

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
