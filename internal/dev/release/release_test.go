//go:build unix

package release

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// MkrVersion is the mkr that installs the zips in the test, pinned as
// testutil.InstallCommand requires.
const MkrVersion = "v0.65.0"

const (
	version = "v9.9.9-test"
	commit  = "abc1234"
)

// releasePlatforms is every platform `make dist` builds by default.
var releasePlatforms = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"}

// The test builds this machine's zip, to install it, and the Windows one,
// whose binaries are named differently. The other three differ from those
// only in GOOS and GOARCH, and a cold cross build of each costs tens of
// seconds.
func testPlatforms() []string {
	platforms := []string{"linux/amd64", "windows/amd64"}
	if host := runtime.GOOS + "/" + runtime.GOARCH; slices.Contains(releasePlatforms, host) && !slices.Contains(platforms, host) {
		platforms = append(platforms, host)
	}
	return platforms
}

// checks runs one real check of each plugin, installed in bin, against a
// fixture of the test's own. A plugin in the zips without an entry here
// fails the test: every plugin shipped must be shown to run.
var checks = map[string]func(t *testing.T, bin string){
	"check-tls-expiry": func(t *testing.T, bin string) {
		pki := testutil.NewPKI(t)
		ca := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
		addr := testutil.ServeChain(t, testutil.Leaf(t, pki, 21.5), pki.Intermediate)
		testutil.Run(t, bin, nil, "-H", addr, "--ca-file", ca).
			Expect(t, 1, "TLS WARNING: "+addr+" leaf CN=localhost", "expires in 21 days", "warning below 30 days")
	},
	"check-http-e2e": func(t *testing.T, bin string) {
		base := testutil.ServeHTTP(t, fixture.App{}.Handler(), false)
		testutil.Run(t, bin, nil, "-u", base+"/json", "--jq", ".queue.depth < 3").
			Expect(t, 2, "HTTP CRITICAL: jq '.queue.depth < 3'")
	},
	"check-process": func(t *testing.T, bin string) {
		p := testutil.StartProcess(t, testutil.UniqueName("rel-"))
		name := filepath.Base(p.Path)
		testutil.Run(t, bin, nil, "-n", name, "-w", "0").
			Expect(t, 1, "PROCESS WARNING: "+name+" (-n "+name+"): 1 process, expected at most 0")
	},
}

func TestDist(t *testing.T) {
	plugins := strings.Fields(makeOutput(t, "-s", "plugins"))
	if len(plugins) == 0 {
		t.Fatal("make plugins lists no plugins")
	}
	tools := strings.Fields(makeOutput(t, "-s", "tools"))
	platforms := testPlatforms()
	dist := buildDist(t, platforms)

	t.Run("layout", func(t *testing.T) {
		var want []string
		for _, p := range platforms {
			want = append(want, zipName(p))
		}
		want = append(want, "SHA256SUMS")
		slices.Sort(want)
		if got := readDirNames(t, dist); !slices.Equal(got, want) {
			t.Errorf("%s holds %q, want %q", dist, got, want)
		}
		for _, p := range platforms {
			checkZip(t, filepath.Join(dist, zipName(p)), p, append(slices.Clone(plugins), tools...))
		}
		checkSums(t, dist)
	})

	t.Run("reproducible", func(t *testing.T) {
		again := buildDist(t, platforms)
		for _, name := range readDirNames(t, dist) {
			a, _ := os.ReadFile(filepath.Join(dist, name))
			b, err := os.ReadFile(filepath.Join(again, name))
			if err != nil {
				t.Errorf("second build: %v", err)
			} else if !bytes.Equal(a, b) {
				t.Errorf("%s differs between two builds of the same tree", name)
			}
		}
	})

	t.Run("mkr plugin install", func(t *testing.T) {
		host := runtime.GOOS + "/" + runtime.GOARCH
		if !slices.Contains(platforms, host) {
			t.Skipf("no release zip for %s", host)
		}
		mkr := testutil.InstallCommand(t, "github.com/mackerelio/mkr", MkrVersion)
		prefix := t.TempDir()
		zipPath := filepath.Join(dist, zipName(host))
		out, err := exec.Command(mkr, "plugin", "install", "--prefix", prefix, "file://"+zipPath).CombinedOutput()
		if err != nil {
			t.Fatalf("mkr plugin install: %v\n%s", err, out)
		}
		// mkr installs the plugins and nothing else of the zip: not the
		// tools, which run in the ops repository.
		bin := filepath.Join(prefix, "bin")
		if got := readDirNames(t, bin); !slices.Equal(got, slices.Sorted(slices.Values(plugins))) {
			t.Fatalf("mkr installed %q in %s, want %q\n%s", got, bin, plugins, out)
		}
		for _, name := range plugins {
			t.Run(name, func(t *testing.T) {
				path := filepath.Join(bin, name)
				testutil.Run(t, path, nil, "--version").Expect(t, 0, fmt.Sprintf("%s %s (%s)\n", name, version, commit))
				check, ok := checks[name]
				if !ok {
					t.Fatalf("no check to run %s with after install: add one to checks", name)
				}
				check(t, path)
			})
		}
	})
}

// buildDist runs `make dist` for platforms into a new folder and returns it.
func buildDist(t *testing.T, platforms []string) string {
	t.Helper()
	dir := t.TempDir()
	makeOutput(t, "dist", "DIST="+dir, "PLATFORMS="+strings.Join(platforms, " "), "VERSION="+version, "COMMIT="+commit)
	return dir
}

// makeOutput runs make in the module's root and returns its output.
func makeOutput(t *testing.T, args ...string) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", append([]string{"-C", root, "--no-print-directory"}, args...)...)
	// Under `make test` the outer make's flags (its jobserver among them)
	// are in the environment; this make is a separate build.
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); name != "MAKEFLAGS" && name != "MFLAGS" && name != "MAKELEVEL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s%s", strings.Join(cmd.Args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func zipName(platform string) string {
	return "mackerel-frontline_" + strings.ReplaceAll(platform, "/", "_") + ".zip"
}

// checkZip checks that a zip holds, at its top level and nothing else, the
// plugins as executables for platform, README.md, each plugin's README as
// README-<plugin>.md and LICENSE, each the file of the checkout.
func checkZip(t *testing.T, path, platform string, plugins []string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	exe := ""
	if strings.HasPrefix(platform, "windows/") {
		exe = ".exe"
	}
	want := map[string]bool{"README.md": false, "LICENSE": false} // name: executable
	for _, p := range plugins {
		want[p+exe] = true
		want[readmeName(p)] = false
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		executable, ok := want[f.Name]
		if !ok {
			continue
		}
		mode := f.Mode()
		switch {
		case !mode.IsRegular():
			t.Errorf("%s: %s is %s, want a regular file", path, f.Name, mode)
		case executable && mode.Perm() != 0o755:
			t.Errorf("%s: %s has mode %s, want -rwxr-xr-x", path, f.Name, mode)
		case !executable && mode.Perm() != 0o644:
			t.Errorf("%s: %s has mode %s, want -rw-r--r--", path, f.Name, mode)
		}
		if !executable {
			checkSameAsCheckout(t, path, f)
		} else if strings.HasPrefix(platform, "linux/") {
			checkStaticStripped(t, path, f)
		}
	}
	wantNames := slices.Sorted(func(yield func(string) bool) {
		for name := range want {
			if !yield(name) {
				return
			}
		}
	})
	if slices.Sort(names); !slices.Equal(names, wantNames) {
		t.Errorf("%s holds %q, want %q", path, names, wantNames)
	}
}

// checkStaticStripped checks that a Linux binary needs no dynamic loader,
// so it runs on any distribution, and carries no symbol table.
func checkStaticStripped(t *testing.T, zipPath string, f *zip.File) {
	t.Helper()
	data := readEntry(t, zipPath, f)
	bin, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %s: %v", zipPath, f.Name, err)
	}
	defer bin.Close()
	for _, prog := range bin.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Errorf("%s: %s is dynamically linked", zipPath, f.Name)
		}
	}
	if bin.Section(".symtab") != nil {
		t.Errorf("%s: %s is not stripped", zipPath, f.Name)
	}
}

func readEntry(t *testing.T, zipPath string, f *zip.File) []byte {
	t.Helper()
	r, err := f.Open()
	if err != nil {
		t.Fatalf("%s: %s: %v", zipPath, f.Name, err)
	}
	defer r.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		t.Fatalf("%s: %s: %v", zipPath, f.Name, err)
	}
	return b.Bytes()
}

// readmeName is what a plugin's README is called in the zips: beside the
// plugin, so not in a folder of the same name, and not starting with the
// plugin's name, which mkr on Windows would install as a plugin.
func readmeName(plugin string) string { return "README-" + plugin + ".md" }

// checkSameAsCheckout checks that a file of a zip is the checkout's: the
// file of the same name, or the README of the plugin readmeName names.
func checkSameAsCheckout(t *testing.T, zipPath string, f *zip.File) {
	t.Helper()
	got := readEntry(t, zipPath, f)
	name := f.Name
	if plugin, ok := strings.CutPrefix(strings.TrimSuffix(name, ".md"), "README-"); ok {
		name = filepath.Join(plugin, "README.md")
	}
	want, err := os.ReadFile(filepath.Join("../../..", name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %s is not the checkout's %s", zipPath, f.Name, name)
	}
}

// checkSums checks that SHA256SUMS has one line per zip, in the format
// `sha256sum -c` reads, with the zip's digest.
func checkSums(t *testing.T, dist string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, name := range readDirNames(t, dist) {
		if strings.HasSuffix(name, ".zip") {
			zipData, err := os.ReadFile(filepath.Join(dist, name))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&want, "%x  %s\n", sha256.Sum256(zipData), name)
		}
	}
	if string(data) != want.String() {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", data, want.String())
	}
}

func readDirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
