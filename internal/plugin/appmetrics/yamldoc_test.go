package appmetrics

import "testing"

func TestSecondDocument(t *testing.T) {
	for in, want := range map[string]int{
		"tls:\n  www: a\n":                        0,
		"---\ntls:\n  www: a\n":                   0,
		"tls:\n  www: a\n---\n":                   0,
		"tls:\n  www: a\n---\nhttp:\n  b: c\n":    3,
		"---\ntls:\n  www: a\n---\nhttp:\n  b: c": 4,
		"tls:\n  www: a\n...\n---\nprefix: x\n":   4,
	} {
		if got := secondDocument([]byte(in)); got != want {
			t.Errorf("%q: line %d, want %d", in, got, want)
		}
	}
}
