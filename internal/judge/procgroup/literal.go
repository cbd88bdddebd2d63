package procgroup

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// pattern is a compiled -p or -x with the literal strings every match
// must contain: most command lines lack one of them, and a substring
// search rules a line out for a fraction of what the regexp machine
// costs, which matters with thousands of processes and several groups.
type pattern struct {
	re       *regexp.Regexp
	required []string
}

func compilePattern(expr string) (*pattern, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	p := &pattern{re: re}
	if tree, err := syntax.Parse(expr, syntax.Perl); err == nil {
		p.required = requiredLiterals(tree.Simplify())
	}
	return p, nil
}

// MatchString reports whether s matches.
func (p *pattern) MatchString(s string) bool {
	for _, lit := range p.required {
		if !strings.Contains(s, lit) {
			return false
		}
	}
	return p.re.MatchString(s)
}

// requiredLiterals returns case-sensitive literals that any string the
// expression matches contains: those of a concatenation's own parts.
// Anything optional, repeated zero times, alternative or case-folded
// contributes nothing, so the list errs towards empty.
func requiredLiterals(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, requiredLiterals(sub)...)
		}
		return out
	}
	return nil
}
