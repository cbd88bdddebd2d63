package secret

import (
	"bytes"
	"html"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// add registers forms of a secret: by their Run-byte stretches when
// stretches is set (the secret is long enough for a piece of it to be
// told from chance), whole otherwise. Both are kept with ASCII letters
// folded to lower case: an error page that upper-cases what it repeats
// ("BEARER S3CR3T...") still carries the secret.
func (m *Masker) add(stretches bool, values ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
next:
	for _, value := range values {
		switch {
		case value == "":
		case stretches && len(value) >= Run:
			if m.runs == nil {
				m.runs = make(map[uint64]struct{})
			}
			for i := 0; i+Run <= len(value); i++ {
				m.runs[key(value[i:])] = struct{}{}
			}
		default:
			value = asciiLower(value)
			for _, v := range m.whole {
				if v == value {
					continue next
				}
			}
			m.whole = append(m.whole, value)
		}
	}
}

// key packs the first Run bytes of s, ASCII letters folded to lower case.
func key(s string) uint64 {
	_ = s[Run-1]
	var k uint64
	for i := Run - 1; i >= 0; i-- {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		k = k<<8 | uint64(c)
	}
	return k
}

// asciiLower folds ASCII letters to lower case and leaves every other
// byte as it is, so that an offset in the result is one in s.
func asciiLower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// maxDepth bounds how many layers of escaping Mask undoes: a JSON string
// in a Go-quoted body excerpt in an HTML page is three.
const maxDepth = 4

// Mask replaces every registered secret in s with ***: every stretch of
// Run bytes or more of a form of a long secret, and every whole form of a
// short one. It looks at s as it is and with its escapes undone (JSON and
// Go backslash escapes, HTML entities, %XX and "+"), layer after layer, so
// a secret is masked however a server or a message escaped it. Where
// matches overlap or touch, the whole stretch they cover is one ***, so no
// fragment of either is left.
func (m *Masker) Mask(s string) string { return render(s, m.cover(s)) }

// cover marks the bytes of s that Mask hides; nil when there are none.
func (m *Masker) cover(s string) []bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if len(m.whole) == 0 && len(m.runs) == 0 || s == "" {
		return nil
	}
	var covered []bool
	cover := func(from, to int) {
		if covered == nil {
			covered = make([]bool, len(s))
		}
		for k := from; k < to; k++ {
			covered[k] = true
		}
	}
	v := view{text: s}
	for depth := 0; ; depth++ {
		m.match(v, cover)
		if depth == maxDepth {
			break
		}
		next, changed := v.unescape()
		if !changed {
			break
		}
		v = next
	}
	return covered
}

// render writes s with each stretch of covered bytes as one Mask.
func render(s string, covered []bool) string {
	if covered == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !covered[i] {
			b.WriteByte(s[i])
			continue
		}
		b.WriteString(Mask)
		for i+1 < len(s) && covered[i+1] {
			i++
		}
	}
	return b.String()
}

// match covers, in the text v stands for, what in v matches a secret.
func (m *Masker) match(v view, cover func(from, to int)) {
	t := v.text
	if len(m.runs) > 0 {
		for i := 0; i+Run <= len(t); i++ {
			if _, ok := m.runs[key(t[i:])]; ok {
				cover(v.span(i, i+Run))
			}
		}
	}
	if len(m.whole) > 0 {
		t = asciiLower(t)
	}
	for _, w := range m.whole {
		for from := 0; ; {
			i := strings.Index(t[from:], w)
			if i < 0 {
				break
			}
			cover(v.span(from+i, from+i+len(w)))
			from += i + 1
		}
	}
}

// view is a text with escapes undone, and where each of its bytes came
// from in the text Mask was given: the escape it was written as.
type view struct {
	text string
	// from and to give the span of text[i] in the original; nil when
	// the view is the original.
	from, to []int
}

func (v view) span(i, j int) (int, int) {
	if v.from == nil {
		return i, j
	}
	return v.from[i], v.to[j-1]
}

// unescape undoes one layer of escapes. changed is false when there was
// none to undo.
func (v view) unescape() (view, bool) {
	t := v.text
	if !strings.ContainsAny(t, `\&%+`) {
		return v, false
	}
	out := view{from: make([]int, 0, len(t)), to: make([]int, 0, len(t))}
	var b strings.Builder
	changed := false
	for i := 0; i < len(t); {
		dec, n := unescapeAt(t, i)
		if n == 0 {
			dec, n = t[i:i+1], 1
		} else {
			changed = true
		}
		from, to := v.span(i, i+n)
		for range len(dec) {
			out.from = append(out.from, from)
			out.to = append(out.to, to)
		}
		b.WriteString(dec)
		i += n
	}
	out.text = b.String()
	return out, changed
}

// unescapeAt decodes the escape at t[i:], if there is one: what it
// stands for and how many bytes it takes (0 for none).
func unescapeAt(t string, i int) (string, int) {
	switch t[i] {
	case '+':
		return " ", 1
	case '%':
		if i+2 < len(t) {
			if c, err := strconv.ParseUint(t[i+1:i+3], 16, 8); err == nil {
				return string([]byte{byte(c)}), 3
			}
		}
	case '&':
		end := strings.IndexByte(t[i:min(len(t), i+12)], ';')
		if end > 1 {
			entity := t[i : i+end+1]
			if dec := html.UnescapeString(entity); dec != entity {
				return dec, end + 1
			}
		}
	case '\\':
		if i+1 >= len(t) {
			break
		}
		switch c := t[i+1]; c {
		case '"', '\\', '/', '\'':
			return string(c), 2
		case 'b':
			return "\b", 2
		case 'f':
			return "\f", 2
		case 'n':
			return "\n", 2
		case 'r':
			return "\r", 2
		case 't':
			return "\t", 2
		case 'x':
			if c, ok := hex(t, i+2, 2); ok {
				return string([]byte{byte(c)}), 4
			}
		case 'u':
			r, ok := hex(t, i+2, 4)
			if !ok {
				break
			}
			if utf16.IsSurrogate(rune(r)) {
				if i+12 <= len(t) && t[i+6] == '\\' && t[i+7] == 'u' {
					if r2, ok := hex(t, i+8, 4); ok {
						return string(utf16.DecodeRune(rune(r), rune(r2))), 12
					}
				}
				break
			}
			return string(rune(r)), 6
		case 'U':
			if r, ok := hex(t, i+2, 8); ok && utf8.ValidRune(rune(r)) {
				return string(rune(r)), 10
			}
		}
	}
	return "", 0
}

// hex reads n hex digits at t[i:].
func hex(t string, i, n int) (uint64, bool) {
	if i+n > len(t) {
		return 0, false
	}
	c, err := strconv.ParseUint(t[i:i+n], 16, 32)
	return c, err == nil
}

// Writer masks what is written to w, one write at a time: a secret split
// across two writes is not seen whole, so each write should be a whole
// line or message.
func (m *Masker) Writer(w io.Writer) io.Writer { return maskingWriter{m, w} }

// LineWriter returns a writer that masks what it is given a line at a
// time: a program that prints a secret in several writes (a shell loop,
// a progress printer) would otherwise pass each piece unmasked. A line
// longer than maxLine is masked and written in parts of about that size,
// so that a line without end cannot hold memory; each part ends where no
// secret crosses it (see cut). Close writes what is left of the last
// line.
func (m *Masker) LineWriter(w io.Writer) io.WriteCloser {
	return &lineWriter{m: m, w: w}
}

const (
	// maxLine is where LineWriter stops waiting for the end of a line.
	maxLine = 64 << 10
	// cutAhead is how far past a cut LineWriter looks for a secret that
	// crosses it: more than Run bytes, however escaped.
	cutAhead = 1 << 10
)

type lineWriter struct {
	mu  sync.Mutex
	m   *Masker
	w   io.Writer
	buf []byte
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf = append(lw.buf, p...)
	for {
		var out string
		end := bytes.IndexByte(lw.buf, '\n') + 1
		if end > 0 {
			out = lw.m.Mask(string(lw.buf[:end]))
		} else if out, end = lw.cut(); end == 0 {
			return len(p), nil
		}
		if _, err := io.WriteString(lw.w, out); err != nil {
			return 0, err
		}
		lw.buf = lw.buf[end:]
	}
}

// cut returns, masked, the first part of a line too long to wait for its
// end, and how many bytes of the buffer it takes; 0 while it waits for
// more. The part ends at maxLine or past it, after the secret that
// crosses maxLine: a piece of a secret shorter than Run on either side
// of a cut would not be told from chance and would be written as it is.
// It waits for cutAhead bytes past maxLine, and while a secret runs to
// the end of what it has, up to twice maxLine.
func (lw *lineWriter) cut() (string, int) {
	if len(lw.buf) < maxLine+cutAhead {
		return "", 0
	}
	s := string(lw.buf[:min(len(lw.buf), 2*maxLine)])
	covered := lw.m.cover(s)
	end := maxLine
	for covered != nil && end < len(s) && covered[end-1] && covered[end] {
		end++
	}
	if end == len(s) && len(s) < 2*maxLine {
		return "", 0
	}
	if covered != nil {
		covered = covered[:end]
	}
	return render(s[:end], covered), end
}

func (lw *lineWriter) Close() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(lw.w, lw.m.Mask(string(lw.buf)))
	lw.buf = nil
	return err
}

type maskingWriter struct {
	m *Masker
	w io.Writer
}

func (mw maskingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(mw.w, mw.m.Mask(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
