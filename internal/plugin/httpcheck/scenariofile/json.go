package scenariofile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// WriteJSON writes the step's json: value as a request body, keys in the
// order written, each string expanded.
func (st *Step) WriteJSON(b *strings.Builder, expand func(string) (string, error)) error {
	return writeJSON(b, st.json, expand)
}

func writeJSON(b *strings.Builder, n *node, expand func(string) (string, error)) error {
	switch n.kind {
	case nullKind:
		b.WriteString("null")
	case mapKind:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			key, err := expand(k.text)
			if err != nil {
				return err
			}
			b.WriteString(JSONText(key))
			b.WriteByte(':')
			if err := writeJSON(b, n.vals[i], expand); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case listKind:
		b.WriteByte('[')
		for i, item := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, item, expand); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		switch v := n.value.(type) {
		case string:
			s, err := expand(v)
			if err != nil {
				return err
			}
			b.WriteString(JSONText(s))
		case bool:
			b.WriteString(strconv.FormatBool(v))
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case uint64:
			b.WriteString(strconv.FormatUint(v, 10))
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s has no JSON form", n.text)
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		default:
			return fmt.Errorf("%s has no JSON form", n.text)
		}
	}
	return nil
}

// JSONText encodes v as JSON, leaving <, > and & as they are: a body and
// a variable are not HTML.
func JSONText(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
