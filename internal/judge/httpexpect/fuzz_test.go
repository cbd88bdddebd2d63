package httpexpect

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// FuzzCheck checks that whatever a peer sends, judging it never panics and
// every finding quotes the peer's text already escaped: one finding stays
// one line whatever the body, the headers or the status line hold.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"name":"a\nb","n":[1,2]}`), "200 OK", "text/html\x1b[2J", true)
	f.Add([]byte("<html>\u2028\x00\xff"), "503 Down\u2028", "", false)
	f.Add([]byte(`"\u2028"`), "404", "a\r\nb", false)
	exp := Expect{
		Status:      mustStatus(f, "201"),
		Patterns:    []*regexp.Regexp{regexp.MustCompile(`^never$`)},
		Inverted:    []*regexp.Regexp{regexp.MustCompile(`(?s).{1,30}`)},
		Contains:    []string{"\x00never"},
		NotContains: []string{"a"},
		Headers:     []HeaderMatch{{Name: "X-Test", RE: regexp.MustCompile(`^never$`)}},
	}
	for _, e := range []string{`.name == "x"`, `.`, `.n | length > 5`, `.[0]`, `keys`} {
		j, err := ParseJQ(e)
		if err != nil {
			f.Fatal(err)
		}
		exp.JQ = append(exp.JQ, j)
	}
	f.Fuzz(func(t *testing.T, body []byte, status, header string, truncated bool) {
		// 200 is a wrong status, which alone is judged with what the
		// page says; 201 lets every body expectation judge.
		for _, code := range []int{200, 201, 500} {
			resp := &httpprobe.Response{StatusCode: code, Status: status, Header: http.Header{"X-Test": {header}, "Content-Type": {header}}, Body: body, Truncated: truncated}
			for _, finding := range exp.Check(resp) {
				if s := textfmt.Sanitize(finding.Text); s != finding.Text {
					t.Fatalf("finding %q is not escaped (want %q)", finding.Text, s)
				}
			}
			if text := PageText(resp, nil); utf8.RuneCountInString(text) > maxPageText || strings.ContainsAny(text, "\r\n") {
				t.Fatalf("page text %q is not one short line", text)
			}
		}
	})
}
