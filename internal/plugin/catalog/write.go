package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
)

// Files are generated files by name, relative to the folder they go in.
type Files map[string][]byte

// Names lists the files in name order.
func (fs Files) Names() []string {
	names := make([]string, 0, len(fs))
	for n := range fs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Write writes every file into dir, each atomically: all are written to
// temporary files first, and only when every one is complete are they
// renamed into place, so a failure leaves the old files as they were.
func (fs Files) Write(dir string) error {
	type pending struct {
		staged *localfile.Staged
		dst    string
	}
	var done []pending
	discard := func(from int) {
		for _, p := range done[from:] {
			p.staged.Discard()
		}
	}
	for _, name := range fs.Names() {
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			discard(0)
			return err
		}
		// No fsync: the rename is what makes a file whole or absent to
		// a reader, and the files are regenerated from Git at will.
		s, err := localfile.Stage(dst, fs[name], localfile.WriteOptions{Perm: 0o644})
		if err != nil {
			discard(0)
			return fmt.Errorf("writing %s: %w", dst, err)
		}
		done = append(done, pending{s, dst})
	}
	for i, p := range done {
		if err := p.staged.Commit(); err != nil {
			discard(i + 1)
			return fmt.Errorf("writing %s: %w", p.dst, err)
		}
	}
	return nil
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	writeTOMLString(&b, s)
	return b.String()
}

func writeTOMLString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

func tomlArray(a []string) string {
	var b strings.Builder
	n := 2
	for _, s := range a {
		n += len(s) + 4
	}
	b.Grow(n)
	b.WriteByte('[')
	for i, s := range a {
		if i > 0 {
			b.WriteString(", ")
		}
		writeTOMLString(&b, s)
	}
	b.WriteByte(']')
	return b.String()
}
