// Package jqexpr compiles and runs the jq expressions of assertions and
// extractions over a decoded JSON body. It knows nothing of responses, so
// that a scenario file's expressions are compiled where no HTTP client is
// linked (frontline checking a catalog) with the same code that runs them
// in check-http-e2e.
package jqexpr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/itchyny/gojq"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// Query is a compiled jq expression over a JSON body.
type Query struct {
	expr string
	code *gojq.Code
	// left is the left side of the comparison the expression ends in
	// (".queue.depth" of ".queue.depth < 100"), nil when it ends in
	// something else: a failure then shows what that side was, which
	// says more than "false".
	left *gojq.Code
}

// noEnviron hides the environment from expressions: `env` and $ENV would
// otherwise print the check's credentials in a failure message.
var noEnviron = gojq.WithEnvironLoader(func() []string { return nil })

// Parse compiles a jq expression (gojq's dialect of jq 1.7).
func Parse(expr string) (Query, error) {
	if strings.TrimSpace(expr) == "" {
		return Query{}, errors.New("empty jq expression: write one that yields true when the body is right, as in '.status == \"ok\"'")
	}
	q, err := gojq.Parse(expr)
	if err != nil {
		return Query{}, fmt.Errorf("jq %q: %v: check the syntax (quote the whole expression for the shell; strings take double quotes)", expr, err)
	}
	capSizes(reflect.ValueOf(q))
	code, err := gojq.Compile(q, noEnviron, sizeCap)
	if err != nil {
		return Query{}, fmt.Errorf("jq %q: %v", expr, err)
	}
	j := Query{expr: expr, code: code}
	if l := leftSide(q); l != nil {
		l.FuncDefs = q.FuncDefs
		if code, err := gojq.Compile(l, noEnviron, sizeCap); err == nil {
			j.left = code
		}
	}
	return j, nil
}

// The values + and * may make. gojq has no allocation hook, and a value
// that doubles ("x" + "x", forty times) is copied whole at every step: a
// copy of hundreds of MiB cannot be interrupted, not even by the watchdog
// that ends a run at its memory cap. Every + and * of an expression is
// wrapped in sizeFunc, which fails the expression once its value passes
// these, while the copies are still small.
const (
	maxString = 8 << 20 // bytes
	maxItems  = 1 << 20 // array elements or object keys
)

const sizeFunc = "_frontline_size"

var sizeCap = gojq.WithFunction(sizeFunc, 1, 1, func(_ any, args []any) any {
	switch v := args[0].(type) {
	case string:
		if len(v) > maxString {
			return fmt.Errorf("stopped: + or * made a string of %d bytes, past the cap of %d", len(v), maxString)
		}
	case []any:
		if len(v) > maxItems {
			return fmt.Errorf("stopped: + or * made an array of %d values, past the cap of %d", len(v), maxItems)
		}
	case map[string]any:
		if len(v) > maxItems {
			return fmt.Errorf("stopped: + or * made an object of %d keys, past the cap of %d", len(v), maxItems)
		}
	}
	return args[0]
})

var queryType = reflect.TypeOf(&gojq.Query{})

// capSizes wraps every L + R and L * R under v (a parsed query, walked
// through all its fields) in sizeFunc.
func capSizes(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Type() == queryType {
			if q := v.Interface().(*gojq.Query); q.Op == gojq.OpAdd || q.Op == gojq.OpMul {
				inner := *q
				*q = gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeFunc, Func: &gojq.Func{Name: sizeFunc, Args: []*gojq.Query{&inner}}}}
				capSizes(reflect.ValueOf(&inner).Elem())
				return
			}
		}
		capSizes(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				capSizes(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			capSizes(v.Index(i))
		}
	}
}

// leftSide returns the query for the left side of the comparison q ends
// in: "L" of "L == R", and "A | L" of "A | L == R".
func leftSide(q *gojq.Query) *gojq.Query {
	if q == nil {
		return nil
	}
	switch q.Op {
	case gojq.OpEq, gojq.OpNe, gojq.OpLt, gojq.OpLe, gojq.OpGt, gojq.OpGe:
		return q.Left
	case gojq.OpPipe:
		if l := leftSide(q.Right); l != nil {
			return &gojq.Query{Left: q.Left, Op: gojq.OpPipe, Right: l}
		}
	}
	return nil
}

// String is the expression as written.
func (j Query) String() string { return j.expr }

// DecodeJSON reads a body for Eval and First. Numbers keep their
// precision: an id of 2^60 compares and prints as itself.
func DecodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("body is empty, not JSON")
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("body is not JSON (%v)", err)
	}
	// What follows the value must be JSON's white space and nothing else:
	// a page that prints an error after the document is not the
	// document, and jq itself refuses it.
	end := d.InputOffset()
	if i := bytes.IndexFunc(body[end:], func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) }); i >= 0 {
		if _, err := d.Token(); err == nil {
			return nil, errors.New("body is not JSON (more than one value)")
		}
		return nil, fmt.Errorf("body is not JSON (text after the value, at byte %d)", end+int64(i))
	}
	return v, nil
}

// Eval runs the expression over a decoded body. It returns "" when every
// value it yields is true, and otherwise what it got instead: the left
// side of a final comparison, or the value that was not true.
func (j Query) Eval(ctx context.Context, doc any) (got string, err error) {
	return j.EvalMasked(ctx, doc, nil)
}

// EvalMasked is Eval with secrets in what it got masked before the value
// is cut short (nil masks nothing).
func (j Query) EvalMasked(ctx context.Context, doc any, mask func(string) string) (got string, err error) {
	iter := j.code.RunWithContext(ctx, doc)
	n := 0
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, ok := v.(error); ok {
			return "", jqError(err)
		}
		n++
		if v == true {
			continue
		}
		if n == 1 && j.left != nil {
			if l, ok := j.first(ctx, j.left, doc, mask); ok {
				return l, nil
			}
		}
		return FormatMasked(v, mask), nil
	}
	if n == 0 {
		return "no value", nil
	}
	return "", nil
}

func (j Query) first(ctx context.Context, code *gojq.Code, doc any, mask func(string) string) (string, bool) {
	v, ok := code.RunWithContext(ctx, doc).Next()
	if !ok {
		return "", false
	}
	if _, isErr := v.(error); isErr {
		return "", false
	}
	return FormatMasked(v, mask), true
}

// First returns the first value the expression yields over a decoded body,
// for a journey's extraction. It fails when there is none.
func (j Query) First(ctx context.Context, doc any) (any, error) {
	v, ok := j.code.RunWithContext(ctx, doc).Next()
	if !ok {
		return nil, errors.New("no value")
	}
	if err, ok := v.(error); ok {
		return nil, jqError(err)
	}
	return v, nil
}

// jqError is an error the expression raised, with what it quotes from
// the body escaped as Format escapes it.
func jqError(err error) error {
	var halt *gojq.HaltError
	if errors.As(err, &halt) && halt.Value() == nil {
		return errors.New("halted")
	}
	return errors.New(escapeUnprintable(err.Error()))
}

// MaskedPrefix is how much of a long text quoted in a message is masked
// before it is cut short: a secret further in is cut off anyway.
const MaskedPrefix = 4 << 10

// FormatMasked writes a jq value as jq prints it, cut short: a failure
// message quotes it, and a whole document would crowd out the verdict.
// Secrets are masked before the cut (a nil mask masks nothing), so that
// none is left half shown.
func FormatMasked(v any, mask func(string) string) string {
	b, _ := gojq.Marshal(v)
	s := escapeUnprintable(string(b))
	if mask != nil {
		s = mask(s[:min(len(s), MaskedPrefix)])
	}
	return textfmt.Shorten(s, 80)
}

// escapeUnprintable writes what gojq's encoder leaves as it is and a
// message must not carry (U+2028, other format characters) the way JSON
// would escape it (U+FFFD too, which stands for bytes that were not
// UTF-8): outside strings, JSON text has none.
func escapeUnprintable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (unicode.IsPrint(r) || r == ' ') && r != utf8.RuneError {
			b.WriteRune(r)
			continue
		}
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, "\\u%04x\\u%04x", r1, r2)
			continue
		}
		fmt.Fprintf(&b, "\\u%04x", r)
	}
	return b.String()
}
