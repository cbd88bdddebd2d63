package scenariofile

import (
	"errors"
	"fmt"
	"math"
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
	col   int
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

// at is where the node starts.
func (n *node) at() pos { return pos{n.line, n.col} }

// pos is a place in the file: line and column from 1, column 0 when only
// the line is known.
type pos struct{ line, col int }

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
		return nil, &Error{Line: line, Msg: fmt.Sprintf("brackets nest more than %d deep: a scenario needs a few levels", maxFlowDepth)}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var yerr yaml.Error
		if errors.As(err, &yerr) && yerr.GetToken() != nil {
			p := yerr.GetToken().Position
			return nil, &Error{Line: p.Line, Col: p.Column, Msg: "not valid YAML: " + textfmt.Sanitize(yerr.GetMessage())}
		}
		return nil, fmt.Errorf("not valid YAML: %v", err)
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			return nil, errAt(posOf(doc.Body), "a second YAML document: a scenario file holds one")
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

func posOf(n ast.Node) pos {
	if n == nil || n.GetToken() == nil {
		return pos{}
	}
	p := n.GetToken().Position
	return pos{p.Line, p.Column}
}

type converter struct {
	anchors map[string]*node
	size    map[*node]int // values each node stands for, aliases expanded
}

func (c *converter) convert(n ast.Node) (*node, error) {
	p := posOf(n)
	line, col := p.line, p.col
	switch v := n.(type) {
	case nil:
		return &node{kind: nullKind}, nil
	case *ast.NullNode:
		return &node{line: line, col: col, kind: nullKind}, nil
	case *ast.StringNode:
		return &node{line: line, col: col, value: v.Value, text: v.Value}, nil
	case *ast.LiteralNode:
		return &node{line: line, col: col, value: v.Value.Value, text: v.Value.Value}, nil
	case *ast.IntegerNode:
		return &node{line: line, col: col, value: v.Value, text: v.Token.Value}, nil
	case *ast.FloatNode:
		return &node{line: line, col: col, value: v.Value, text: v.Token.Value}, nil
	case *ast.InfinityNode:
		return &node{line: line, col: col, value: v.Value, text: v.Token.Value}, nil
	case *ast.NanNode:
		return &node{line: line, col: col, value: math.NaN(), text: v.Token.Value}, nil
	case *ast.BoolNode:
		return &node{line: line, col: col, value: v.Value, text: v.Token.Value}, nil
	case *ast.MappingValueNode:
		return c.mapping(p, []*ast.MappingValueNode{v})
	case *ast.MappingNode:
		return c.mapping(p, v.Values)
	case *ast.SequenceNode:
		out := &node{line: line, col: col, kind: listKind}
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
			return nil, errAt(p, "alias *%s names no anchor defined before it", textfmt.Sanitize(name))
		}
		return out, nil
	case *ast.MappingKeyNode:
		return c.convert(v.Value)
	case *ast.TagNode:
		return nil, errAt(p, "tag %s: tags are not supported; quote a value to make it a string", textfmt.Sanitize(v.Start.Value))
	}
	return nil, errAt(p, "unsupported YAML (%s)", n.Type())
}

func (c *converter) mapping(at pos, pairs []*ast.MappingValueNode) (*node, error) {
	out := &node{line: at.line, col: at.col, kind: mapKind}
	for _, p := range pairs {
		if p.Key.IsMergeKey() {
			return nil, errAt(posOf(p.Key), "merge keys (<<) are not supported: write the keys out")
		}
		k, err := c.convert(p.Key)
		if err != nil {
			return nil, err
		}
		if k.kind != scalarKind {
			return nil, errAt(k.at(), "a key must be a plain word, not %s", k.describe())
		}
		for _, prev := range out.keys {
			if prev.text == k.text {
				return nil, errAt(k.at(), "key %q given twice (first on line %d)", k.text, prev.line)
			}
		}
		v, err := c.convert(p.Value)
		if err != nil {
			return nil, err
		}
		if v.kind == nullKind && v.line == 0 {
			v.line, v.col = k.line, k.col
		}
		out.keys = append(out.keys, k)
		out.vals = append(out.vals, v)
	}
	if len(out.keys) > 0 {
		out.line, out.col = out.keys[0].line, out.keys[0].col
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
			return errAt(n.at(), "the file expands to more than %d values (aliases of aliases?)", maxNodes)
		}
	}
	c.size[n] = total
	return nil
}
