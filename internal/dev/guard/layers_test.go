package guard

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The layers of internal/, lowest first. A package may import its own
// layer and the ones below it; a plugin package imports no other plugin.
const (
	corePrefix   = module + "/internal/core/"
	probePrefix  = module + "/internal/probe/"
	judgePrefix  = module + "/internal/judge/"
	pluginPrefix = module + "/internal/plugin/"
	devPrefix    = module + "/internal/dev/"
)

// goFile is one non-test Go file of the module, with its imports.
type goFile struct {
	rel     string // slash-separated, from the module root
	pkgPath string // the import path of its folder
	pkgName string
	imports []string
}

// TestEveryPluginHasDependencyRules fails when a folder at the top of the
// module builds a binary that TestBinaryDeps does not know: a plugin left
// out of that list would link anything unchecked.
func TestEveryPluginHasDependencyRules(t *testing.T) {
	plugins := pluginFolders(t, moduleRoot(t))
	if len(plugins) == 0 {
		t.Fatal("no folder at the module root holds a package main: the search for plugins is broken")
	}
	for _, p := range plugins {
		known := false
		for _, b := range binaries {
			known = known || b.name == p
		}
		if !known {
			t.Errorf("%s/ holds a package main, but deps_test.go's binaries list has no entry for it: add one naming what it must not link and the modules it may", p)
		}
	}
}

// TestLayers checks the import rules of internal/ over every non-test Go
// file, whatever its build constraints, so that a file built only on one
// platform is held to them too.
func TestLayers(t *testing.T) {
	root := moduleRoot(t)
	files := goFiles(t, root)
	plugins := pluginFolders(t, root)
	for _, f := range files {
		dir, _, _ := strings.Cut(f.rel, "/")
		isMain := slices.Contains(plugins, dir) && f.pkgPath == module+"/"+dir
		for _, imp := range f.imports {
			msg := layerRule(f, imp)
			if msg == "" && isMain {
				msg = mainRule(imp)
			}
			if msg != "" {
				t.Errorf("%s imports %s: %s", f.rel, imp, msg)
			}
		}
		if isMain {
			if msg := onePlugin(f, files); msg != "" {
				t.Error(msg)
			}
		}
	}
}

// layerRule says why a file may not import imp, or "" if it may.
func layerRule(f goFile, imp string) string {
	if !strings.HasPrefix(imp, module+"/") {
		return ""
	}
	from := f.pkgPath + "/"
	switch {
	case strings.HasPrefix(from, devPrefix):
		return ""
	case strings.HasPrefix(imp, devPrefix):
		return "nothing outside internal/dev imports internal/dev, except _test.go files"
	case strings.HasPrefix(from, corePrefix):
		if !strings.HasPrefix(imp, corePrefix) {
			return "internal/core imports only internal/core"
		}
	case strings.HasPrefix(from, probePrefix):
		if !hasAnyPrefix(imp, corePrefix, probePrefix) {
			return "internal/probe imports only internal/core and internal/probe"
		}
	case strings.HasPrefix(from, judgePrefix):
		if !hasAnyPrefix(imp, corePrefix, probePrefix, judgePrefix) {
			return "internal/judge imports only internal/core, internal/probe and internal/judge"
		}
	case strings.HasPrefix(from, pluginPrefix):
		own := pluginPrefix + strings.SplitN(strings.TrimPrefix(from, pluginPrefix), "/", 2)[0]
		if strings.HasPrefix(imp, pluginPrefix) && imp != own && !strings.HasPrefix(imp, own+"/") && !catalogMayImport(from, imp) {
			return "a plugin package never imports another plugin: move what both need down to internal/judge, internal/probe or internal/core"
		}
		if !hasAnyPrefix(imp, corePrefix, probePrefix, judgePrefix, pluginPrefix) {
			return "internal/plugin imports only internal/core, internal/probe, internal/judge and its own package"
		}
	case strings.HasPrefix(from, module+"/internal/"):
		return "every package under internal/ belongs to one of core, probe, judge, plugin or dev"
	}
	return ""
}

// mainRule says why a plugin's main may not import imp, or "" if it may:
// a main declares its command and calls its plugin package.
func mainRule(imp string) string {
	if strings.HasPrefix(imp, module+"/") && !hasAnyPrefix(imp, corePrefix, pluginPrefix) {
		return "a plugin's main imports only internal/core and its one internal/plugin package"
	}
	return ""
}

// onePlugin says which file of a plugin's folder brings the count of
// internal/plugin packages it imports above one, or "" if none does.
func onePlugin(f goFile, files []goFile) string {
	var seen []string
	for _, g := range files {
		if g.pkgPath != f.pkgPath {
			continue
		}
		for _, imp := range g.imports {
			if !strings.HasPrefix(imp, pluginPrefix) {
				continue
			}
			p := pluginPrefix + strings.SplitN(strings.TrimPrefix(imp, pluginPrefix), "/", 2)[0]
			if !slices.Contains(seen, p) {
				seen = append(seen, p)
			}
			if len(seen) > 1 && g.rel == f.rel {
				return fmt.Sprintf("%s imports %s: a plugin's main imports at most one internal/plugin package, and its folder already imports %s", f.rel, imp, seen[0])
			}
		}
	}
	return ""
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// pluginFolders returns the folders at the module root that hold a
// package main: each builds one binary.
func pluginFolders(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	for _, f := range goFiles(t, root) {
		dir, _, nested := strings.Cut(f.rel, "/")
		if nested && f.pkgName == "main" && f.pkgPath == module+"/"+dir && !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	slices.Sort(dirs)
	return dirs
}

// goFiles parses the imports of every non-test Go file of the module,
// leaving out what the go command leaves out: testdata and folders whose
// name starts with . or _.
func goFiles(t *testing.T, root string) []goFile {
	t.Helper()
	var files []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		ast, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return fmt.Errorf("parse %s: %w", rel, err)
		}
		g := goFile{rel: filepath.ToSlash(rel), pkgName: ast.Name.Name, pkgPath: module}
		if dir := filepath.ToSlash(filepath.Dir(rel)); dir != "." {
			g.pkgPath = module + "/" + dir
		}
		for _, s := range ast.Imports {
			p, err := strconv.Unquote(s.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: import %s: %w", rel, s.Path.Value, err)
			}
			g.imports = append(g.imports, p)
		}
		files = append(files, g)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// catalogMayImport is the one exception to "a plugin never imports another
// plugin": frontline's catalog checks a plugin's arguments with the
// plugin's own parser and renders its alerts with the plugin's own words,
// so it imports a plugin's options package, which holds its flags and
// their syntax and links no probe, and check-http-e2e's scenario file
// loader (httpcheck/scenariofile), which reads a journey and builds no
// request. proccheck is imported whole: the only probe it links,
// procscan, is what procgroup's selectors need anyway. TestBinaryDeps
// holds frontline to linking no TLS or HTTP code.
func catalogMayImport(from, imp string) bool {
	if from != pluginPrefix+"catalog/" {
		return false
	}
	return strings.HasSuffix(imp, "/options") || imp == pluginPrefix+"httpcheck/scenariofile" || imp == pluginPrefix+"proccheck"
}
