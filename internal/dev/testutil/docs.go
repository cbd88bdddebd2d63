package testutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ModuleRoot walks up from the working directory (the test's package) to
// the folder holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// MarkdownFiles returns every Markdown file of the module, relative to
// its root with forward slashes, in name order: the documentation users
// read, wherever it lives. Hidden folders and what the Makefile builds
// (bin, dist) are not documentation.
func MarkdownFiles(t testing.TB) []string {
	t.Helper()
	root := ModuleRoot(t)
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || rel == "bin" || rel == "dist") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".md") {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// PluginDirs returns the module's plugins: its top-level folders that
// hold a main.go, by name, each a binary of its own with a README.md.
func PluginDirs(t testing.TB) []string {
	t.Helper()
	root := ModuleRoot(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var plugins []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, e.Name(), "main.go")); err == nil {
			plugins = append(plugins, e.Name())
		}
	}
	if len(plugins) == 0 {
		t.Fatalf("%s: no top-level folder with a main.go", root)
	}
	return plugins
}
