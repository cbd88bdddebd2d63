package testutil

import (
	"context"
	"debug/buildinfo"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// InstallCommand returns the path of the command at the root of module,
// at exactly version, building it with `go install` the first time into a
// cache folder that outlives the test run (keyed by version, so that a new
// pin installs beside the old). A failed install fails the test: CI must
// notice that the tool was not tested against.
//
// Pin exact versions: the proxy serves those only, and a new version of a
// tool is a change to review, not something a test run picks up by itself.
func InstallCommand(t testing.TB, module, version string) string {
	t.Helper()
	name := path.Base(module)
	dir := installCacheDir(t, name+"@"+version)
	exe := name
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	bin := filepath.Join(dir, exe)
	if isCommand(bin, module, version) {
		return bin
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	// Outside any module, so that neither our go.mod nor a go.work is
	// touched or consulted.
	work := t.TempDir()
	goCmd := func(env []string, args ...string) string {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), append([]string{"GOWORK=off"}, env...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("installing %s@%s: %s: %v\n%s", module, version, strings.Join(cmd.Args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	// `go install MODULE@VERSION` asks the proxy for the version list,
	// which it refuses for some modules (mackerelio's among them).
	// Downloading the exact version first and putting the module cache
	// ahead of the configured proxy lets the install find it there, and
	// the rest where it usually would.
	goCmd(nil, "mod", "download", module+"@"+version)
	modCache := goCmd(nil, "env", "GOMODCACHE")
	proxy := goCmd(nil, "env", "GOPROXY")
	staging, err := os.MkdirTemp(dir, "install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(staging)
	goCmd([]string{
		"GOFLAGS=-mod=mod",
		"GOPROXY=file://" + filepath.ToSlash(filepath.Join(modCache, "cache", "download")) + "," + proxy,
		"GOBIN=" + staging,
	}, "install", module+"@"+version)
	// A rename is atomic: a test run beside this one sees either no
	// command or a whole one.
	if err := os.Rename(filepath.Join(staging, exe), bin); err != nil {
		t.Fatal(err)
	}
	if !isCommand(bin, module, version) {
		t.Fatalf("installed %s, but it is not %s@%s", bin, module, version)
	}
	t.Logf("installed %s@%s in %s", module, version, time.Since(start).Round(time.Millisecond))
	return bin
}

func installCacheDir(t testing.TB, key string) string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "mackerel-frontline", key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// isCommand reports whether path is the command of module at version,
// judged by what the Go toolchain recorded in it.
func isCommand(path, module, version string) bool {
	info, err := buildinfo.ReadFile(path)
	return err == nil && info.Main.Path == module && info.Main.Version == version
}
