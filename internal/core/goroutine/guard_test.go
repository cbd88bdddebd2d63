package goroutine

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Where a bare go statement is allowed: here, in Go and Map, which
// recover what they start. The test and development tools (fixtures, the demo, the
// agent harness) are never linked into a plugin; TestToolsStayOutOfPlugins
// keeps it so.
var (
	recovering = []string{"internal/core/goroutine"}
	tools      = []string{"internal/dev/fixture", "internal/dev/testutil", "internal/dev/e2e", "internal/dev/cmd"}
)

const module = "github.com/frontline-sre/mackerel-frontline"

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s: %v", dir, err)
	}
	return dir
}

func under(rel string, dirs []string) bool {
	for _, d := range dirs {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

// A goroutine started with a bare go statement that panics crashes the
// plugin with exit 2 (CRITICAL) and no message: start it with Go instead.
func TestNoBareGoStatements(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" || under(rel, recovering) || under(rel, tools) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok {
				t.Errorf("%s: bare go statement: start it with goroutine.Go so that a panic in it is reported, not a crash", fset.Position(g.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go file checked: the walk is broken")
	}
}

// The tools exempted above must never end up inside a plugin binary.
func TestToolsStayOutOfPlugins(t *testing.T) {
	root := moduleRoot(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var plugins []string
	for _, e := range entries {
		if e.IsDir() && (strings.HasPrefix(e.Name(), "check-") || strings.HasPrefix(e.Name(), "mackerel-plugin-")) {
			plugins = append(plugins, "./"+e.Name())
		}
	}
	if len(plugins) == 0 {
		t.Fatal("no plugin found at the module root")
	}
	cmd := exec.Command("go", append([]string{"list", "-deps"}, plugins...)...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		rel, ok := strings.CutPrefix(pkg, module+"/")
		if ok && under(rel, tools) {
			t.Errorf("a plugin links %s, which may start goroutines with a bare go statement", pkg)
		}
	}
}
