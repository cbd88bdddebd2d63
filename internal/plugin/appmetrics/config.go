package appmetrics

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// maxConfigFile bounds a --config file: it holds a few lines per target.
const maxConfigFile = 1 << 20

// configFile is a --config file: the same targets and options as the flags, for
// when the agent's command line gets long.
//
//	prefix = "app"
//	host_context = true
//	ca_file = "/etc/ssl/private-ca.pem"
//	[tls]
//	www = "www.example.com"
//	[http]
//	api = "https://api.example.com/health"
//	[process]
//	web = "name:nginx"
//
// or the same in YAML. Targets are NAME = what the flag takes after '='.
type configFile struct {
	Prefix      string            `toml:"prefix" yaml:"prefix"`
	CAFile      string            `toml:"ca_file" yaml:"ca_file"`
	NoVerify    bool              `toml:"no_verify" yaml:"no_verify"`
	HostContext bool              `toml:"host_context" yaml:"host_context"`
	TLS         map[string]string `toml:"tls" yaml:"tls"`
	HTTP        map[string]string `toml:"http" yaml:"http"`
	Process     map[string]string `toml:"process" yaml:"process"`
}

// parseFile reads a config file's content; the format is the file name's:
// .toml, .yaml or .yml. A key it does not know is an error, so that a typo
// does not drop a target silently.
func parseFile(path string, data []byte) (*configFile, error) {
	f := &configFile{}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(f)
		if err != nil {
			return nil, fmt.Errorf("--config %s: %v", path, err)
		}
		if u := md.Undecoded(); len(u) > 0 {
			return nil, fmt.Errorf("--config %s: unknown key %q (known: prefix, ca_file, no_verify, host_context, [tls], [http], [process])", path, u[0].String())
		}
	case ".yaml", ".yml":
		if err := yaml.UnmarshalWithOptions(data, f, yaml.Strict()); err != nil {
			return nil, fmt.Errorf("--config %s: %s", path, strings.ReplaceAll(yaml.FormatError(err, false, false), "\n", " "))
		}
		// Unmarshal reads the first document alone: targets after a
		// "---" would be dropped without a word.
		if line := secondDocument(data); line > 0 {
			return nil, fmt.Errorf("--config %s: a second YAML document (--- at line %d), which this plugin does not read: put every target in one document", path, line)
		}
	default:
		return nil, fmt.Errorf("--config %s: name the file .toml, .yaml or .yml, which says its format", path)
	}
	return f, nil
}

// addTo adds the file's targets to s, each kind in name order.
func (f *configFile) addTo(s *targetSpec) error {
	for _, kind := range []struct {
		name    string
		targets map[string]string
	}{{"tls", f.TLS}, {"http", f.HTTP}, {"process", f.Process}} {
		keys := make([]string, 0, len(kind.targets))
		for k := range kind.targets {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := s.add(kind.name, k+"="+kind.targets[k]); err != nil {
				return fmt.Errorf("[%s] %s: %v", kind.name, k, err)
			}
		}
	}
	return nil
}

// secondDocument returns the line where a YAML stream's second document
// starts, or 0 when it holds one document (a "---" before the first, or
// an empty document after it, counts for nothing).
func secondDocument(data []byte) int {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return 0 // Unmarshal has said what is wrong
	}
	seen := 0
	for _, doc := range file.Docs {
		if doc.Body == nil {
			continue
		}
		if seen++; seen == 2 {
			if doc.Start != nil {
				return doc.Start.Position.Line
			}
			return doc.Body.GetToken().Position.Line
		}
	}
	return 0
}
