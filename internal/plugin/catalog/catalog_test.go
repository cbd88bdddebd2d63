package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	mackerel "github.com/mackerelio/mackerel-client-go"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const example = "../../../examples/catalog/catalog.yaml"

func loadExample(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load(example)
	if err != nil {
		t.Fatal(err)
	}
	if f := c.Check(); len(f) > 0 {
		t.Fatalf("the example catalog has findings: %v", f)
	}
	return c
}

// The monitors are written with frontline's own mirror of
// mackerel-client-go's MonitorExternalHTTP: each must decode into the
// client's type field for field and encode back to the same JSON.
func TestMonitorsAreClientMonitors(t *testing.T) {
	c := loadExample(t)
	var file struct {
		Monitors []json.RawMessage `json:"monitors"`
	}
	if err := json.Unmarshal(c.MonitorsJSON(), &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Monitors) == 0 {
		t.Fatal("the example catalog has no external monitor")
	}
	for _, raw := range file.Monitors {
		var m mackerel.MonitorExternalHTTP
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s does not decode as mackerel-client-go's MonitorExternalHTTP: %v", raw, err)
		}
		back, _ := json.Marshal(&m)
		var a, b any
		json.Unmarshal(raw, &a)
		json.Unmarshal(back, &b)
		aj, _ := json.Marshal(a)
		bj, _ := json.Marshal(b)
		if !bytes.Equal(aj, bj) {
			t.Errorf("the client's type loses or changes fields:\nours:   %s\nclient: %s", aj, bj)
		}
		if m.MonitorType() != "external" {
			t.Errorf("monitor type %q", m.MonitorType())
		}
	}
}

// The example catalog is valid by `frontline schema` too, and the schema
// refuses what the loader refuses by type.
func TestExampleCatalogMatchesSchema(t *testing.T) {
	schema := compileSchema(t)
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(yamlToJSON(t, data)); err != nil {
		t.Errorf("the example catalog fails the schema: %v", err)
	}
	for _, bad := range []string{
		"services: {shop: {owner: x, runbook: https://x, colour: blue}}",
		"services: {shop: {owner: x}}",
		"services: {shop: {owner: x, runbook: https://x, tls: [{target: a}]}}",
		"defaults: {check_interval: [1m]}",
	} {
		if err := schema.Validate(yamlToJSON(t, []byte(bad))); err == nil {
			t.Errorf("the schema accepts %s", bad)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("catalog.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The same catalog gives the same bytes, whatever the order its maps
// were read in.
func TestGenerateIsDeterministic(t *testing.T) {
	h := Host{}
	first, err := loadExample(t).Generate(h)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		again, err := loadExample(t).Generate(h)
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range first {
			if !bytes.Equal(again[name], data) {
				t.Fatalf("%s differs between two runs", name)
			}
		}
	}
}

// A folder of files is read in name order; a service defined twice is a
// finding naming both places.
func TestFolderAndDuplicates(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("10-shop.yaml", "services:\n  shop:\n    owner: a\n    runbook: https://x/\n")
	write("20-more.yaml", "services:\n  api:\n    owner: b\n    runbook: https://y/\n  shop:\n    owner: c\n    runbook: https://z/\n")
	write("notes.txt", "not read")
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Files) != 2 || !strings.HasSuffix(c.Files[0], "10-shop.yaml") {
		t.Errorf("files read: %q", c.Files)
	}
	got := findingText(c.Check())
	want := filepath.Join(dir, "20-more.yaml") + ":5:3: service shop is already defined at " + filepath.Join(dir, "10-shop.yaml") + ":2:3: merge the two"
	if !strings.Contains(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
}

func findingText(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

// Aliases that the walk would expand past maxNodes values are refused
// with one finding, however small the file.
func TestAliasExpansionBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n  s0:\n    roles: &r [")
	for i := 0; i < 1100; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "r%d", i)
	}
	b.WriteString("]\n")
	for i := 1; i < 1100; i++ {
		fmt.Fprintf(&b, "  s%d: {roles: *r}\n", i)
	}
	c := Parse(Source{Name: "bomb.yaml", Data: []byte(b.String())})
	n := 0
	for _, f := range c.Findings {
		if strings.Contains(f.Msg, "aliases expand to over") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d findings about the expansion, want 1 (of %d findings)", n, len(c.Findings))
	}
}

// Each key is read by the accessor of its type: text only, or text and a
// number written bare, and every field is filled from its own key.
func TestKeysReadByType(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"services: {shop: {owner: 30}}", "owner must be text, not a number"},
		{"services: {shop: {tls: [{name: a, target: [x]}]}}", "target must be text or a number, not a list"},
		{"services: {shop: {http: [{name: a, url: 443}]}}", "url must be text, not a number"},
		{"services: {shop: {process: [{name: a, select: {pidfile: {}}}]}}", "select.pidfile must be text or a number, not a mapping"},
		{"services: {shop: {process: [{name: a, warning_over: x}]}}", `warning_over must be a whole number, 0 or more, not "x"`},
	} {
		c1 := Parse(Source{Name: "c.yaml", Data: []byte(c.yaml)})
		if len(c1.Findings) != 1 || !strings.Contains(c1.Findings[0].Msg, c.want) {
			t.Errorf("%s: findings %v, want one with %q", c.yaml, c1.Findings, c.want)
		}
	}
	c := Parse(Source{Name: "c.yaml", Data: []byte(`services:
  shop:
    tls: [{name: t, target: 443, warning: 30, critical: 14d}, {name: f, file: /c.pem}]
    http: [{name: h, url: "https://x", method: POST, cert_warning: 20, cert_critical: 5}, {name: j, scenario: j.yaml}]
    process: [{name: p, select: {name: n, pattern: p, exe: /e, pidfile: /f, systemd_unit: u, user: 0}, critical_under: 1, warning_under: 2, warning_over: 3, critical_over: 4}]
`)})
	if len(c.Findings) > 0 {
		t.Fatal(c.Findings)
	}
	s := c.Services[0]
	tls, http, proc := s.Item(TLS, "t"), s.Item(HTTP, "h"), s.Item(Process, "p")
	got := fmt.Sprintln(tls.Target, tls.Warning, tls.Critical, s.Item(TLS, "f").File, http.URL, http.Method, http.CertWarning, http.CertCritical,
		s.Item(HTTP, "j").Scenario, proc.Select, *proc.CriticalUnder, *proc.WarningUnder, *proc.WarningOver, *proc.CriticalOver)
	if want := "443 30 14d /c.pem https://x POST 20 5 j.yaml {n p /e /f u 0} 1 2 3 4\n"; got != want {
		t.Errorf("fields %s, want %s", got, want)
	}
}
