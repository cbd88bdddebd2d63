package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The files `frontline generate` writes, and `check --generated` holds
// against the catalog.
const (
	MonitorsFile = "monitors.json"
	DocFile      = "MONITORING.md"
	AgentDir     = "agent"
)

// Generate returns every file the catalog generates, by path under the
// generated folder: the monitors, the document, and each role's agent
// configuration under agent/.
func (c *Catalog) Generate(h Host) (Files, error) {
	files := Files{MonitorsFile: c.MonitorsJSON(), DocFile: c.Doc()}
	for _, s := range c.Services {
		for _, r := range s.Roles {
			conf, err := c.AgentConf(s.Name, r.Name, h)
			if err != nil {
				return nil, err
			}
			for name, data := range conf {
				files[AgentDir+"/"+name] = data
			}
		}
	}
	return files, nil
}

// Drift compares dir with what the catalog generates now: a finding for
// each file that differs, is missing, or is left over.
func (c *Catalog) Drift(dir string, h Host) ([]Finding, error) {
	want, err := c.Generate(h)
	if err != nil {
		return nil, err
	}
	var f []Finding
	fix := "run frontline generate and commit the result"
	for _, name := range want.Names() {
		p := filepath.Join(dir, filepath.FromSlash(name))
		got, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			f = append(f, Finding{Pos{p, 1, 1}, "missing: the catalog generates this file; " + fix})
		case err != nil:
			return nil, err
		case !bytes.Equal(got, want[name]):
			f = append(f, Finding{Pos{p, firstDiff(got, want[name]), 1}, "differs from what the catalog generates now; " + fix})
		}
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll // every file is missing, and said so above
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if _, ok := want[rel]; !ok && (rel == MonitorsFile || rel == DocFile || strings.HasPrefix(rel, AgentDir+"/")) {
			f = append(f, Finding{Pos{p, 1, 1}, "the catalog no longer generates this file: remove it"})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("--generated %s: %w", dir, err)
	}
	return f, nil
}

// firstDiff is the first line where a and b differ.
func firstDiff(a, b []byte) int {
	line := 1
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return line
		}
		if a[i] == '\n' {
			line++
		}
	}
	return line
}
