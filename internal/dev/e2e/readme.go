package e2e

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// markerLine puts the toml block right below it under test.
var markerLine = regexp.MustCompile(`^<!-- agent-test: ([a-z0-9][a-z0-9_-]*) -->$`)

// READMEBlocks returns the toml blocks of the module's Markdown files (the
// top README, each plugin's README, docs/), by the NAME of the marker line
// each must follow, each without its fences.
func READMEBlocks(t testing.TB) map[string]string {
	t.Helper()
	blocks := map[string]string{}
	for name, b := range markedBlocks(t) {
		blocks[name] = b.text
	}
	return blocks
}

// markedBlock is a toml block and the Markdown file it is in.
type markedBlock struct{ file, text string }

// markedBlocks reads every Markdown file of the module: a toml block
// without a marker, a marker without a block, or a name marked twice (in
// any two files) fails the test.
func markedBlocks(t testing.TB) map[string]markedBlock {
	t.Helper()
	root := testutil.ModuleRoot(t)
	blocks := map[string]markedBlock{}
	for _, file := range testutil.MarkdownFiles(t) {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for name, text := range fileBlocks(t, file, data) {
			if b, dup := blocks[name]; dup {
				t.Fatalf("%s: a second block marked %q (the first is in %s)", file, name, b.file)
			}
			blocks[name] = markedBlock{file, text}
		}
	}
	return blocks
}

// fileBlocks returns the marked toml blocks of one Markdown file, path
// being what messages call it.
func fileBlocks(t testing.TB, path string, data []byte) map[string]string {
	t.Helper()
	blocks := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return sc.Text(), true
	}
	for {
		text, ok := next()
		if !ok {
			break
		}
		m := markerLine.FindStringSubmatch(text)
		if m == nil {
			if text == "```toml" {
				t.Fatalf("%s:%d: a toml block without a marker: put <!-- agent-test: NAME --> right above it and a scenario in agent_test.go, so that no agent config in the documentation is untested", path, line)
			}
			if strings.Contains(text, "agent-test") && strings.HasPrefix(text, "<!--") {
				t.Fatalf("%s:%d: %q is not a marker line; write <!-- agent-test: NAME -->", path, line, text)
			}
			continue
		}
		name, at := m[1], line
		if _, dup := blocks[name]; dup {
			t.Fatalf("%s:%d: a second block marked %q", path, at, name)
		}
		if text, _ = next(); text != "```toml" {
			t.Fatalf("%s:%d: the marker %q must be followed at once by a ```toml block, found %q", path, at, name, text)
		}
		var body strings.Builder
		for {
			text, ok = next()
			if !ok {
				t.Fatalf("%s:%d: the block marked %q never ends", path, at, name)
			}
			if text == "```" {
				break
			}
			body.WriteString(text + "\n")
		}
		blocks[name] = body.String()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

// PluginDir is where the README's configs expect the plugins, as
// `mkr plugin install` and `make install` put them.
const PluginDir = "/opt/mackerel-agent/plugins/bin/"

var pluginPath = regexp.MustCompile(regexp.QuoteMeta(PluginDir) + `([A-Za-z0-9._-]+)`)

// Runnable turns a README block into config that runs here. It is the block
// verbatim, except that
//
//   - PluginDir+NAME becomes the path of the plugin NAME built for the test;
//   - each key of replace, a string of the block, becomes its value
//     anywhere in the block: mostly an example address (e.g.
//     "www.example.com" or "mail.example.com:587") becoming the address of
//     a loopback fixture (e.g. "localhost:40123"), but also a path or a
//     command the test cannot run as written; longer keys are replaced
//     first, and each one must occur.
//
// A command (or action command) that still names an example.com, .org or
// .net host after that fails the test: the plugin would look it up and
// leave the machine.
func Runnable(t testing.TB, block string, replace map[string]string) string {
	t.Helper()
	out := pluginPath.ReplaceAllStringFunc(block, func(m string) string {
		return testutil.Binary(t, strings.TrimPrefix(m, PluginDir))
	})
	keys := make([]string, 0, len(replace))
	for k := range replace {
		if !strings.Contains(block, k) {
			t.Fatalf("the README block has no %q to replace:\n%s", k, block)
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, replace[k])
	}
	out = strings.NewReplacer(pairs...).Replace(out)
	for _, l := range strings.Split(out, "\n") {
		if commandKey.MatchString(l) && exampleHost.MatchString(l) {
			t.Fatalf("a command still names %q: map it to a fixture\n%s", exampleHost.FindString(l), l)
		}
	}
	return out
}

// commandKey finds a check's or metric's command and an action's.
var commandKey = regexp.MustCompile(`(^|[{,])\s*command\s*=`)

var exampleHost = regexp.MustCompile(`[A-Za-z0-9.-]*\bexample\.(com|org|net)\b`)
