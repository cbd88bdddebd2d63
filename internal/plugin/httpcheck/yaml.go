package httpcheck

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// node is a YAML value with the line it starts on, reduced to what a
// scenario can hold: scalars, mappings in the order written, lists. The
// schema is checked against it by hand, so that every complaint names the
// key and its line.
type node struct {
	line  int
	kind  kind
	value any    // scalar: string, int64, uint64, float64, bool
	text  string // scalar as written
	keys  []*node
	vals  []*node
	items []*node
}

type kind int

const (
	scalarKind kind = iota
	mapKind
	listKind
	nullKind
)

// maxNodes bounds a scenario's values counting each alias as the whole
// value it stands for: a few lines of nested aliases would otherwise
// expand to a JSON body of billions of values.
const maxNodes = 100000

// describe names a node's type for "want ..., got ..." messages.
func (n *node) describe() string {
	switch n.kind {
	case mapKind:
		return "a mapping"
	case listKind:
		return "a list"
	case nullKind:
		return "nothing"
	}
	switch n.value.(type) {
	case string:
		return fmt.Sprintf("the string %q", textfmt.Shorten(n.value.(string), 40))
	case bool:
		return "true/false"
	}
	return "the number " + n.text
}

// maxFlowDepth bounds how deep [ and { nest. The YAML parser's work grows
// with the square of the depth: 100 KB of brackets took it a minute and
// gigabytes. A scenario needs a few levels.
const maxFlowDepth = 32

// flowDepth finds where [ and { nest deeper than maxFlowDepth, outside
// quotes and comments, before the parser sees the file; 0 when nowhere.
func flowDepth(data []byte) (line int) {
	depth, line := 0, 1
	var quote byte
	prev := byte('\n') // the last byte that is not a blank
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\n':
			line++
		case quote == '"' && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && strings.IndexByte("\n[{,:-?", prev) >= 0:
			// A quote opens a scalar only where one starts: the
			// apostrophe of it's opens nothing.
			quote = c
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n'):
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == '[' || c == '{':
			if depth++; depth > maxFlowDepth {
				return line
			}
		case c == ']' || c == '}':
			depth = max(depth-1, 0)
		}
		if c != ' ' && c != '\t' && c != '\r' {
			prev = c
		}
	}
	return 0
}

// parseYAML reads one YAML document into a node tree.
func parseYAML(data []byte) (*node, error) {
	if line := flowDepth(data); line > 0 {
		return nil, &lineError{line: line, msg: fmt.Sprintf("brackets nest more than %d deep: a scenario needs a few levels", maxFlowDepth)}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var yerr yaml.Error
		if errors.As(err, &yerr) && yerr.GetToken() != nil {
			return nil, &lineError{line: yerr.GetToken().Position.Line, msg: "not valid YAML: " + textfmt.Sanitize(yerr.GetMessage())}
		}
		return nil, fmt.Errorf("not valid YAML: %v", err)
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			return nil, &lineError{line: lineOf(doc.Body), msg: "a second YAML document: a scenario file holds one"}
		}
		body = doc.Body
	}
	c := converter{anchors: map[string]*node{}}
	n, err := c.convert(body)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// lineError is a problem at a line of the file.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func lineOf(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

type converter struct {
	anchors map[string]*node
	size    map[*node]int // values each node stands for, aliases expanded
}

func (c *converter) convert(n ast.Node) (*node, error) {
	line := lineOf(n)
	switch v := n.(type) {
	case nil:
		return &node{kind: nullKind}, nil
	case *ast.NullNode:
		return &node{line: line, kind: nullKind}, nil
	case *ast.StringNode:
		return &node{line: line, value: v.Value, text: v.Value}, nil
	case *ast.LiteralNode:
		return &node{line: line, value: v.Value.Value, text: v.Value.Value}, nil
	case *ast.IntegerNode:
		return &node{line: line, value: v.Value, text: v.Token.Value}, nil
	case *ast.FloatNode:
		return &node{line: line, value: v.Value, text: v.Token.Value}, nil
	case *ast.InfinityNode:
		return &node{line: line, value: v.Value, text: v.Token.Value}, nil
	case *ast.NanNode:
		return &node{line: line, value: math.NaN(), text: v.Token.Value}, nil
	case *ast.BoolNode:
		return &node{line: line, value: v.Value, text: v.Token.Value}, nil
	case *ast.MappingValueNode:
		return c.mapping(line, []*ast.MappingValueNode{v})
	case *ast.MappingNode:
		return c.mapping(line, v.Values)
	case *ast.SequenceNode:
		out := &node{line: line, kind: listKind}
		for _, item := range v.Values {
			i, err := c.convert(item)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, i)
		}
		return out, c.count(out)
	case *ast.AnchorNode:
		out, err := c.convert(v.Value)
		if err != nil {
			return nil, err
		}
		c.anchors[v.Name.GetToken().Value] = out
		return out, nil
	case *ast.AliasNode:
		name := v.Value.GetToken().Value
		out, ok := c.anchors[name]
		if !ok {
			return nil, &lineError{line, fmt.Sprintf("alias *%s names no anchor defined before it", textfmt.Sanitize(name))}
		}
		return out, nil
	case *ast.MappingKeyNode:
		return c.convert(v.Value)
	case *ast.TagNode:
		return nil, &lineError{line, fmt.Sprintf("tag %s: tags are not supported; quote a value to make it a string", textfmt.Sanitize(v.Start.Value))}
	}
	return nil, &lineError{line, fmt.Sprintf("unsupported YAML (%s)", n.Type())}
}

func (c *converter) mapping(line int, pairs []*ast.MappingValueNode) (*node, error) {
	out := &node{line: line, kind: mapKind}
	for _, p := range pairs {
		if p.Key.IsMergeKey() {
			return nil, &lineError{lineOf(p.Key), "merge keys (<<) are not supported: write the keys out"}
		}
		k, err := c.convert(p.Key)
		if err != nil {
			return nil, err
		}
		if k.kind != scalarKind {
			return nil, &lineError{k.line, "a key must be a plain word, not " + k.describe()}
		}
		for _, prev := range out.keys {
			if prev.text == k.text {
				return nil, &lineError{k.line, fmt.Sprintf("key %q given twice (first on line %d)", k.text, prev.line)}
			}
		}
		v, err := c.convert(p.Value)
		if err != nil {
			return nil, err
		}
		if v.kind == nullKind && v.line == 0 {
			v.line = k.line
		}
		out.keys = append(out.keys, k)
		out.vals = append(out.vals, v)
	}
	if len(out.keys) > 0 {
		out.line = out.keys[0].line
	}
	return out, c.count(out)
}

// count records how many values n stands for and refuses a tree that
// aliases have blown up past maxNodes.
func (c *converter) count(n *node) error {
	if c.size == nil {
		c.size = map[*node]int{}
	}
	total := 1
	for _, child := range append(append(append([]*node(nil), n.keys...), n.vals...), n.items...) {
		if s, ok := c.size[child]; ok {
			total += s
		} else {
			total++
		}
		if total > maxNodes {
			return &lineError{n.line, "the file expands to more than " + strconv.Itoa(maxNodes) + " values (aliases of aliases?)"}
		}
	}
	c.size[n] = total
	return nil
}
