package spec

import (
	"fmt"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpreq"
)

// HeaderMatch requires a response header to match a regular expression.
type HeaderMatch struct {
	Name string // canonical form: "Content-Type"
	RE   *regexp.Regexp
}

// ParseHeaderMatch reads "Name: RE" (--header-match).
func ParseHeaderMatch(s string) (HeaderMatch, error) {
	name, re, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return HeaderMatch{}, fmt.Errorf("header match %q: write 'Name: REGEXP', as in 'Content-Type: ^application/json'", s)
	}
	return NewHeaderMatch(name, strings.TrimSpace(re))
}

// NewHeaderMatch requires header name to match re.
func NewHeaderMatch(name, re string) (HeaderMatch, error) {
	if !httpreq.ValidHeaderName(name) {
		return HeaderMatch{}, fmt.Errorf("header match: %q is not a header name (letters, digits and -)", name)
	}
	r, err := ParseRegexp(re)
	if err != nil {
		return HeaderMatch{}, fmt.Errorf("header match %s: %v", name, err)
	}
	return HeaderMatch{Name: textproto.CanonicalMIMEHeaderKey(name), RE: r}, nil
}
