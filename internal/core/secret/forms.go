package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// Forms returns the forms a secret may take in text a server echoes or a
// message quotes, each once:
//
//   - as it is, and with its white space runs collapsed to one space (a
//     body excerpt is printed on one line);
//   - URL-escaped, for a query (space as "+") and for a path, with upper-
//     and lower-case hex;
//   - base64, standard and URL alphabets, with and without padding, and
//     for a secret of Run bytes or more, at each of the three alignments
//     it can have inside a longer encoded text ("user:" + secret);
//   - JSON-string-escaped, as Go (HTML-safe or not), jq, PHP ("\/") and
//     Python (ASCII only) write it;
//   - HTML-escaped, with the named and numeric entities servers use for
//     quotes;
//   - Go-quoted, and escaped as a message escapes control characters.
//
// Mask also reads the text it masks with these escapes undone, however
// deeply nested, so that forms not listed (a mix of escapes, a quote of a
// quote) are caught wherever Run bytes of the secret come out.
func Forms(v string) []string {
	out := []string{v, strings.Join(strings.Fields(v), " ")}
	for _, e := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		out = append(out, e, lowerHex(e))
	}
	out = append(out, base64Forms(v, len(v) >= Run)...)
	out = append(out, jsonForms(v)...)
	out = append(out, htmlForms(v)...)
	q := strconv.Quote(v)
	out = append(out, q[1:len(q)-1], textfmt.Sanitize(v))
	return out
}

// lowerHex rewrites the hex digits of %XX escapes in lower case, as some
// encoders write them.
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = lowerByte(b[i+1])
			b[i+2] = lowerByte(b[i+2])
		}
	}
	return string(b)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// base64Forms encodes v with both alphabets, padded and not. Shifted adds
// the parts of the encoding that only v's bytes decide when v sits one or
// two bytes into a longer encoded text.
func base64Forms(v string, shifted bool) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		out = append(out, enc.EncodeToString([]byte(v)))
	}
	if !shifted {
		return out
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for shift := 0; shift < 3; shift++ {
			e := enc.EncodeToString(append(make([]byte, shift), v...))
			// Characters from the one holding v's first bit to the last
			// one v's bits fill: the ones around depend on neighbours.
			from, to := (8*shift+5)/6, 8*(shift+len(v))/6
			if from < to {
				out = append(out, e[from:to])
			}
		}
	}
	return out
}

// jsonForms are the bodies of the JSON strings encoders write for v.
func jsonForms(v string) []string {
	quoted := func(escapeHTML bool) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		enc.Encode(v) //nolint:errcheck // a string always encodes
		s := strings.TrimSuffix(b.String(), "\n")
		return s[1 : len(s)-1]
	}
	plain := quoted(false)
	out := []string{
		quoted(true),
		plain,
		// jq escapes DEL; PHP escapes "/".
		strings.ReplaceAll(plain, "\x7f", `\u007f`),
		strings.ReplaceAll(plain, "/", `\/`),
		asciiJSON(plain),
	}
	return out
}

// asciiJSON escapes what is not ASCII in a JSON string's body as \uXXXX,
// as Python's json.dumps does by default.
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// htmlForms escape v as HTML templates do: &, < and > by name, quotes
// by name or number.
func htmlForms(v string) []string {
	if !strings.ContainsAny(v, `&<>"'`) {
		return nil
	}
	base := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	var out []string
	for _, q := range [][2]string{{"&#34;", "&#39;"}, {"&quot;", "&#39;"}, {"&quot;", "&#039;"}, {"&quot;", "&#x27;"}, {"&quot;", "&apos;"}} {
		var b strings.Builder
		for _, r := range v {
			switch r {
			case '"':
				b.WriteString(q[0])
			case '\'':
				b.WriteString(q[1])
			default:
				b.WriteString(base.Replace(string(r)))
			}
		}
		out = append(out, b.String())
	}
	return out
}
