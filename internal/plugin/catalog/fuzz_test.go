package catalog

import (
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzLoad feeds the loader any bytes: it never panics, every finding has
// a place in the file, and a catalog that passes generates every file.
func FuzzLoad(f *testing.F) {
	if data, err := os.ReadFile(example); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"services:\n  shop: [\n",
		"a: &a [x, x]\nb: &b [*a, *a]\nservices: *b\n",
		"services: {shop: {owner: x, runbook: https://x/, roles: [web], process: [{name: p, select: {name: p}, action: x}]}}",
		"defaults: {timeout: 1e308}\n",
		"services:\n  shop:\n    <<: {owner: x}\n",
		"--- \n--- \nservices: !!map {}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Parse(Source{Name: "catalog.yaml", Data: data})
		findings := c.Check()
		for _, fd := range findings {
			if fd.Pos.File != "catalog.yaml" || fd.Pos.Line < 1 || fd.Pos.Col < 0 || strings.Contains(fd.Msg, "\n") {
				t.Fatalf("finding without a place, or on two lines: %q", fd.String())
			}
		}
		if len(findings) > 0 {
			return
		}
		if _, err := c.Generate(Host{}); err != nil && !strings.Contains(err.Error(), "scenario") {
			t.Fatalf("a catalog that passes check does not generate: %v", err)
		}
		for _, s := range c.Services {
			c.Incident(s, nil, "", time.Time{})
		}
	})
}
