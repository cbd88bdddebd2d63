package guard

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const module = "github.com/frontline-sre/mackerel-frontline"

// A rule names packages a binary must not link, by import path or prefix
// ("net/http" covers "net/http/httptrace"), and why; allow names
// packages under such a prefix that the rule lets through.
type rule struct {
	pkgs  []string
	why   string
	allow []string
}

// forbids reports whether r forbids pkg.
func (r rule) forbids(pkg string) bool {
	for _, a := range r.allow {
		if pkg == a {
			return false
		}
	}
	for _, p := range r.pkgs {
		if pkg == p || strings.HasPrefix(pkg, strings.TrimSuffix(p, "/")+"/") || strings.HasSuffix(p, ".") && strings.HasPrefix(pkg, p) {
			return true
		}
	}
	return false
}

var (
	noHTTP     = rule{[]string{"net/http", "expvar"}, "no HTTP client or server: it costs start-up time and size on every run", nil}
	noJQ       = rule{[]string{"github.com/itchyny/gojq"}, "gojq belongs to check-http-e2e alone", nil}
	noYAML     = rule{[]string{"github.com/goccy/go-yaml", "gopkg.in/yaml.", "sigs.k8s.io/yaml", "github.com/ghodss/yaml"}, "no YAML parser: only scenario and config files need one", nil}
	noPlugin   = rule{[]string{"github.com/mackerelio/go-mackerel-plugin"}, "go-mackerel-plugin belongs to the metric plugin alone", nil}
	noProcfs   = rule{[]string{"github.com/prometheus/procfs"}, "/proc scanning belongs to check-process and the metric plugin", nil}
	noRegexp   = rule{[]string{"regexp"}, "no regexp: with the Unicode tables it brings it is a quarter of a MiB loaded on every run, and a certificate check matches no pattern", nil}
	noOSStat   = rule{[]string{"github.com/mackerelio/go-osstat"}, "host totals belong to the metric plugin alone", nil}
	noTLSProbe = rule{[]string{module + "/internal/probe/tlsprobe", module + "/internal/plugin/tlsexpiry", module + "/internal/judge/certexpiry", module + "/internal/probe/certchain", "crypto/tls"}, "no TLS: check-process watches processes, not endpoints", nil}
	// The options packages of the plugins are their command lines alone
	// (flags and the syntax of their values): frontline checks a
	// catalog's arguments with them, and they link no TLS or HTTP.
	// The scenario file loader of check-http-e2e (httpcheck/scenariofile)
	// is one of those parsers: it reads a journey and builds no request.
	noProbes = rule{[]string{"net/http", "crypto/tls", module + "/internal/probe/tlsprobe", module + "/internal/plugin/tlsexpiry", module + "/internal/judge/certexpiry", module + "/internal/probe/certchain", module + "/internal/probe/tlsclient", module + "/internal/probe/httpprobe", module + "/internal/plugin/httpcheck", module + "/internal/plugin/appmetrics"}, "frontline links the plugins' option parsers and renderers, never the probes it does not run",
		[]string{module + "/internal/plugin/tlsexpiry/options", module + "/internal/plugin/httpcheck/options", module + "/internal/plugin/httpcheck/scenariofile"}}
	// frontline compiles a scenario's jq expressions (gojq, through
	// httpexpect/jqexpr) so that a bad one is a finding in CI rather than
	// an UNKNOWN on the host; what it must not link is what judges a
	// response, which only a check that sent a request has.
	noResponseJudge = rule{[]string{module + "/internal/judge/httpexpect"}, "frontline compiles jq to check a scenario, and judges no response: httpexpect belongs to check-http-e2e",
		[]string{module + "/internal/judge/httpexpect/spec", module + "/internal/judge/httpexpect/phrase", module + "/internal/judge/httpexpect/jqexpr"}}
	// Every binary: nothing that only tests need, no profiling endpoints.
	noTestOnly = rule{[]string{"testing", module + "/internal/dev/testutil", module + "/internal/dev/fixture", module + "/internal/dev/e2e", "net/http/pprof", "runtime/cgo"}, "test-only, profiling and cgo packages never ship", nil}
)

// binaries lists each plugin with what it must not link and the modules,
// besides this one and the standard library, it may link. A new
// dependency is a decision: add it here with the change that needs it.
var binaries = []struct {
	name    string
	forbid  []rule
	modules []string
}{
	{"check-tls-expiry", []rule{noHTTP, noJQ, noYAML, noPlugin, noProcfs, noOSStat, noRegexp}, []string{"github.com/jessevdk/go-flags", "github.com/mackerelio/checkers", "golang.org/x/sys"}},
	{"check-http-e2e", []rule{noPlugin, noProcfs, noOSStat}, []string{"github.com/jessevdk/go-flags", "github.com/mackerelio/checkers", "golang.org/x/sys", "github.com/itchyny/gojq", "github.com/itchyny/timefmt-go", "github.com/goccy/go-yaml", "gopkg.in/yaml.v3", "golang.org/x/net", "golang.org/x/text"}},
	{"check-process", []rule{noHTTP, noTLSProbe, noJQ, noYAML, noPlugin, noOSStat}, []string{"github.com/jessevdk/go-flags", "github.com/mackerelio/checkers", "golang.org/x/sys", "github.com/prometheus/procfs"}},
	{"mackerel-plugin-app", []rule{noJQ}, []string{"github.com/jessevdk/go-flags", "github.com/mackerelio/checkers", "golang.org/x/sys", "github.com/mackerelio/go-mackerel-plugin", "github.com/mackerelio/golib", "github.com/mackerelio/go-osstat", "github.com/prometheus/procfs", "github.com/goccy/go-yaml", "gopkg.in/yaml.v3", "github.com/BurntSushi/toml", "github.com/pelletier/go-toml/v2",
		// go-mackerel-plugin titles graph labels with golang.org/x/text/cases.
		"golang.org/x/text"}},
	{"mackerel-plugin-frontline-recover", []rule{noProbes, noJQ, noYAML, noPlugin, noProcfs, noOSStat}, []string{"github.com/jessevdk/go-flags", "github.com/mackerelio/checkers", "golang.org/x/sys"}},
	// frontline's catalog (internal/plugin/catalog) is the one plugin
	// package that imports other plugins' packages, and only these: the
	// probe-free options packages internal/plugin/tlsexpiry/options and
	// internal/plugin/httpcheck/options, and internal/plugin/proccheck,
	// which links nothing frontline does not already link through
	// judge/procgroup (its /proc scan is procscan's). The import rule
	// "a plugin never imports another plugin" states this exception.
	// It also links scenariofile, which reads check-http-e2e's scenario
	// files with the binary's own code, and with it gojq (noResponseJudge
	// says why, and what stays out).
	{"frontline", []rule{noProbes, noResponseJudge, noPlugin, noOSStat}, []string{"github.com/jessevdk/go-flags", "github.com/mackerelio/checkers", "golang.org/x/sys", "github.com/goccy/go-yaml", "github.com/itchyny/gojq", "github.com/itchyny/timefmt-go"}},
}

// TestBinaryDeps is the Go form of go-check-plugins' convention test: each
// binary links only what its job needs, on every platform it is released
// for.
func TestBinaryDeps(t *testing.T) {
	root := moduleRoot(t)
	for _, b := range binaries {
		t.Run(b.name, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(root, b.name)); os.IsNotExist(err) {
				t.Skipf("binary %s not written yet: its rules apply once its folder exists", b.name)
			}
			for _, goos := range []string{"linux", "darwin", "windows"} {
				for pkg, mod := range deps(t, root, goos, b.name) {
					for _, r := range append(b.forbid, noTestOnly) {
						if r.forbids(pkg) {
							t.Errorf("%s on %s links %s: %s (go mod why %s names the importer)", b.name, goos, pkg, r.why, pkg)
						}
					}
					if mod != "" && mod != module && !allowed(mod, b.modules) {
						t.Errorf("%s on %s links %s from module %s, which it is not expected to need: drop it, or add the module to this test's list with the change that needs it", b.name, goos, pkg, mod)
					}
				}
			}
		})
	}
}

func allowed(mod string, list []string) bool {
	for _, m := range list {
		if mod == m {
			return true
		}
	}
	return false
}

// deps returns the packages a binary links when built as the Makefile
// builds it, with their module ("" for the standard library).
func deps(t *testing.T, root, goos, name string) map[string]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}", "./"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+runtime.GOARCH, "GOFLAGS=-mod=readonly")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if e, ok := err.(*exec.ExitError); ok {
			msg = string(e.Stderr)
		}
		t.Fatalf("go list -deps ./%s (GOOS=%s): %v\n%s", name, goos, err, msg)
	}
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, mod, _ := strings.Cut(line, " ")
		m[pkg] = mod
	}
	return m
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root %s: %v", root, err)
	}
	return root
}
