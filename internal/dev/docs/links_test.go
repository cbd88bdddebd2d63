package docs

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// link finds inline Markdown links and images: [text](target).
var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// codeSpan is inline code, where brackets are not links.
var codeSpan = regexp.MustCompile("`+[^`]*`+")

// page is what a Markdown file offers a link: its text outside code, and
// the anchors of its headings.
type page struct {
	prose   []string // each line, empty in fenced code, inline code removed
	anchors map[string]bool
}

func readPage(t *testing.T, root, file string) page {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	p := page{anchors: map[string]bool{}}
	seen := map[string]int{}
	fence := ""
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, "`~") == "" {
				fence = ""
			}
			p.prose = append(p.prose, "") // keeps the index a line number
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			p.prose = append(p.prose, "")
			continue
		}
		if heading, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " "); ok && strings.HasPrefix(line, "#") {
			a := slug(heading)
			if n := seen[a]; n > 0 {
				p.anchors[a+"-"+strconv.Itoa(n)] = true
			} else {
				p.anchors[a] = true
			}
			seen[a]++
		}
		p.prose = append(p.prose, codeSpan.ReplaceAllString(line, ""))
	}
	return p
}

// slug is the anchor GitHub gives a heading: lower case, punctuation
// dropped (hyphens and underscores kept), spaces as hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestRelativeLinksResolve(t *testing.T) {
	root := testutil.ModuleRoot(t)
	files := testutil.MarkdownFiles(t)
	pages := map[string]page{}
	for _, f := range files {
		pages[f] = readPage(t, root, f)
	}
	checked := 0
	for _, f := range files {
		for i, line := range pages[f].prose {
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				where := f + ":" + strconv.Itoa(i+1)
				file, anchor, _ := strings.Cut(target, "#")
				dest := f
				if file != "" {
					dest = path.Clean(path.Join(path.Dir(f), file))
					if strings.HasPrefix(dest, "../") || path.IsAbs(file) {
						t.Errorf("%s: %s leaves the module", where, target)
						continue
					}
					if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(dest))); err != nil {
						t.Errorf("%s: %s: no such file", where, target)
						continue
					}
				}
				if anchor == "" {
					continue
				}
				p, ok := pages[dest]
				if !ok {
					t.Errorf("%s: %s: an anchor in a file that is not Markdown", where, target)
				} else if !p.anchors[anchor] {
					t.Errorf("%s: %s: %s has no heading with the anchor #%s", where, target, dest, anchor)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("found %d relative links: the link pattern no longer matches the documentation", checked)
	}
}

// TestREADMELinksEveryPlugin: the top README's table is where a reader
// finds a plugin's reference; a new plugin folder must be in it.
func TestREADMELinksEveryPlugin(t *testing.T) {
	root := testutil.ModuleRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, plugin := range testutil.PluginDirs(t) {
		if !strings.Contains(string(readme), "]("+plugin+"/README.md)") {
			t.Errorf("README.md does not link %s/README.md: add a row for %s to the table of plugins", plugin, plugin)
		}
	}
}
