// Package catalog reads the monitoring catalog kept in the ops repository
// and writes everything the hosts and Mackerel need from it: agent
// configuration, external monitors, the monitoring document, incident
// records and drill files.
package catalog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
)

// MaxFile bounds one catalog file: a catalog of a thousand services is a
// few hundred KiB, so anything past this is a mistake, refused before it
// costs the parser time and memory.
const MaxFile = 10 << 20

// MaxDepth bounds how deeply a catalog nests. The schema itself is six
// levels deep; the slack is for values a check rejects with a clearer
// message than "too deep".
const MaxDepth = 32

// nodesPerByte bounds the values read, aliases expanded, by the size of
// the file: without aliases every value takes at least a byte and is read
// at most twice, so only aliases can pass the bound, and an alias bomb
// (each anchor referring to the one before it ten times) is refused after
// work in proportion to its size.
const nodesPerByte = 4

// Pos is where a value was written.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Finding is one thing wrong with a catalog, at the place an editor or a
// CI annotation points to.
type Finding struct {
	Pos Pos
	Msg string
}

func (f Finding) String() string { return f.Pos.String() + ": " + f.Msg }

// ReadError is a catalog that cannot be read at all (missing, a folder
// without *.yaml, permissions), as opposed to one that reads but is wrong.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// Catalog is the whole catalog, read from one file or a folder of them.
type Catalog struct {
	// Files are the files read, in the order read.
	Files    []string
	Defaults Defaults
	// Services in name order.
	Services []*Service
	// Findings are what loading found wrong; Check adds the rest.
	Findings []Finding

	args *parsedItems
}

// Defaults apply to every item that does not say otherwise.
type Defaults struct {
	CheckInterval    time.Duration
	MaxCheckAttempts int
	Timeout          time.Duration
	DrillMaxAge      time.Duration
	// PluginDir is where the plugins are installed on a host.
	PluginDir string
	// DrillDir is where a host's drill files go.
	DrillDir string
	// ConfDir is where the agent's included files live on a host.
	ConfDir string
	pos     map[string]Pos
}

// The defaults of the defaults: the agent's own check interval, a flap
// that does not page, the plugins' own timeout.
const (
	DefaultPluginDir = "/opt/mackerel-agent/plugins/bin"
	DefaultDrillDir  = "/var/lib/mackerel-frontline/drill"
	DefaultConfDir   = "/etc/mackerel-agent/conf.d"
)

// Service is one Mackerel service and what watches it.
type Service struct {
	Name    string
	Pos     Pos
	Owner   string
	Runbook string
	Roles   []Named
	Items   []*Item
	// Metrics names the items graphed by mackerel-plugin-app, per kind.
	Metrics map[Kind][]Named
	pos     map[string]Pos
}

// Named is a name and where it was written.
type Named struct {
	Name string
	Pos  Pos
}

// Kind is the plugin an item runs.
type Kind string

// The item kinds, in the order the catalog and every generated file
// lists them.
const (
	TLS     Kind = "tls"
	HTTP    Kind = "http"
	Process Kind = "process"
)

// Kinds lists the item kinds in order.
var Kinds = []Kind{TLS, HTTP, Process}

// Item is one check of a service.
type Item struct {
	Kind    Kind
	Name    string
	Pos     Pos
	Service *Service

	Action string
	// Roles the item runs on; empty: every role of its service.
	Roles            []Named
	Args             []string
	CheckInterval    time.Duration
	MaxCheckAttempts int
	Timeout          time.Duration
	Recover          *Recover

	// tls
	Target            string
	File              string
	Warning, Critical string

	// http
	URL          string
	Method       string
	Scenario     string
	Headers      []Header
	Status       string
	Contains     []string
	Pattern      []string
	JQ           []string
	CertWarning  string
	CertCritical string
	NoFollow     bool
	External     bool

	// process
	Select                      Select
	CriticalUnder, WarningUnder *int
	WarningOver, CriticalOver   *int

	pos map[string]Pos
}

// Header is one request header of an http item.
type Header struct {
	Name, Value string
	Pos         Pos
}

// Select is how a process item finds its processes: check-process's
// group flags.
type Select struct {
	Name, Pattern, Exe, PIDFile, SystemdUnit, User string
}

// Recover is what the agent may run to heal an item.
type Recover struct {
	Run         string
	AtMost      string
	EventBridge bool
	Pos         Pos
}

// At returns where key of the item was written, or the item's place.
func (it *Item) At(key string) Pos {
	if p, ok := it.pos[key]; ok {
		return p
	}
	return it.Pos
}

// At returns where key of the service was written, or the service's place.
func (s *Service) At(key string) Pos {
	if p, ok := s.pos[key]; ok {
		return p
	}
	return s.Pos
}

// CheckName is the item's name in the agent and in Mackerel.
func (it *Item) CheckName() string {
	return it.Service.Name + "-" + string(it.Kind) + "-" + it.Name
}

// RunsOn reports whether the item runs on hosts of role.
func (it *Item) RunsOn(role string) bool {
	if len(it.Roles) == 0 {
		return slices.ContainsFunc(it.Service.Roles, func(n Named) bool { return n.Name == role })
	}
	return slices.ContainsFunc(it.Roles, func(n Named) bool { return n.Name == role })
}

// Item returns the service's item of kind and name.
func (s *Service) Item(kind Kind, name string) *Item {
	for _, it := range s.Items {
		if it.Kind == kind && it.Name == name {
			return it
		}
	}
	return nil
}

// Service returns the named service, or nil.
func (c *Catalog) Service(name string) *Service {
	for _, s := range c.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Load reads a catalog file, or every *.yaml file of a folder in name
// order. What is wrong with the content is in the catalog's Findings; an
// error is a catalog that cannot be read (*ReadError).
func Load(path string) (*Catalog, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &ReadError{fmt.Errorf("catalog %s: %w", path, err)}
	}
	files := []string{path}
	if fi.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, &ReadError{fmt.Errorf("catalog folder %s: %w", path, err)}
		}
		files = files[:0]
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		if len(files) == 0 {
			return nil, &ReadError{fmt.Errorf("catalog folder %s holds no *.yaml file", path)}
		}
	}
	srcs := make([]Source, 0, len(files))
	for _, f := range files {
		data, err := readLimited(f)
		if err != nil {
			var big *tooBig
			if errors.As(err, &big) {
				srcs = append(srcs, Source{Name: f, TooBig: big.size})
				continue
			}
			return nil, &ReadError{fmt.Errorf("catalog %s: %w", f, err)}
		}
		srcs = append(srcs, Source{Name: f, Data: data})
	}
	return Parse(srcs...), nil
}

type tooBig struct{ size int64 }

func (e *tooBig) Error() string { return fmt.Sprintf("%d bytes", e.size) }

// readLimited reads a regular file of at most MaxFile bytes: a FIFO or a
// device given as the catalog is refused rather than waited on.
func readLimited(path string) ([]byte, error) {
	// Non-blocking: opening a FIFO for reading otherwise waits for a
	// writer. The stat below then refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	if fi.Size() > MaxFile {
		return nil, &tooBig{fi.Size()}
	}
	// The file may grow between the stat and the read.
	data, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFile {
		return nil, &tooBig{int64(len(data))}
	}
	return data, nil
}

// Source is one catalog file's name and content.
type Source struct {
	Name string
	Data []byte
	// TooBig, when not 0, is the size of a file refused unread.
	TooBig int64
}

// Parse reads catalog files already in memory, in order.
func Parse(srcs ...Source) *Catalog {
	c := &Catalog{args: &parsedItems{}}
	c.Defaults = Defaults{
		CheckInterval:    time.Minute,
		MaxCheckAttempts: 1,
		Timeout:          10 * time.Second,
		DrillMaxAge:      check.DefaultDrillMaxAge,
		PluginDir:        DefaultPluginDir,
		DrillDir:         DefaultDrillDir,
		ConfDir:          DefaultConfDir,
		pos:              map[string]Pos{},
	}
	seen := map[string]*Service{}
	defaultsAt := Pos{}
	for _, src := range srcs {
		c.Files = append(c.Files, src.Name)
		r := &reader{file: src.Name, c: c, budget: nodesPerByte*len(src.Data) + 1024}
		if src.TooBig > 0 {
			r.add(Pos{src.Name, 1, 1}, "the file is %.1f MiB, over the %d MiB a catalog may be: split it, or remove what is not a catalog", float64(src.TooBig)/(1<<20), MaxFile>>20)
			continue
		}
		if p, ok := tooDeep(src.Data); ok {
			r.add(Pos{src.Name, p.Line, p.Column}, "nesting deeper than %d levels: a catalog is a few levels deep", MaxDepth)
			continue
		}
		f, err := parser.ParseBytes(src.Data, 0)
		if err != nil {
			r.syntax(err)
			continue
		}
		r.anchors = map[string]ast.Node{}
		for _, doc := range f.Docs {
			if doc.Body == nil {
				continue
			}
			r.top(doc.Body, seen, &defaultsAt)
		}
	}
	for _, s := range seen {
		c.Services = append(c.Services, s)
	}
	slices.SortFunc(c.Services, func(a, b *Service) int { return strings.Compare(a.Name, b.Name) })
	return c
}

// tooDeep finds flow collections nested past MaxDepth, which the parser
// would otherwise descend into one stack frame per level. Block nesting
// is bounded by indentation and found by the reader.
func tooDeep(data []byte) (token.Position, bool) {
	depth, line, col := 0, 1, 0
	var quote byte
	comment := false
	for _, b := range data {
		col++
		switch {
		case b == '\n':
			// Quoted scalars may span lines: the quote state is kept.
			line, col, comment = line+1, 0, false
			continue
		case comment:
			continue
		case quote != 0:
			if b == quote {
				quote = 0
			}
			continue
		}
		switch b {
		case '#':
			comment = true
		case '"', '\'':
			quote = b
		case '[', '{':
			depth++
			if depth > MaxDepth {
				return token.Position{Line: line, Column: col}, true
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return token.Position{}, false
}

// reader walks one file's syntax tree into the catalog, noting every
// finding with its place.
type reader struct {
	file    string
	c       *Catalog
	anchors map[string]ast.Node
	nodes   int
	budget  int
	bombed  bool
}

func (r *reader) add(p Pos, format string, args ...any) {
	r.c.Findings = append(r.c.Findings, Finding{p, fmt.Sprintf(format, args...)})
}

func (r *reader) pos(n ast.Node) Pos {
	// A mapping is where its first key is: its own token is a colon.
	switch v := n.(type) {
	case *ast.MappingNode:
		if len(v.Values) > 0 && !v.IsFlowStyle {
			return r.pos(v.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return r.pos(v.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{r.file, 1, 1}
	}
	return Pos{r.file, tk.Position.Line, tk.Position.Column}
}

func (r *reader) syntax(err error) {
	var se *yaml.SyntaxError
	p := Pos{r.file, 1, 1}
	msg := err.Error()
	if errors.As(err, &se) {
		msg = se.Message
		if se.Token != nil && se.Token.Position != nil {
			p.Line, p.Col = se.Token.Position.Line, se.Token.Position.Column
		}
	}
	r.add(p, "not valid YAML: %s", strings.ReplaceAll(msg, "\n", " "))
}

// resolve looks through anchors, aliases and tags to the value, counting
// nodes so that aliases cannot multiply the work without bound.
func (r *reader) resolve(n ast.Node) ast.Node {
	if r.bombed {
		return nil
	}
	for i := 0; n != nil && i < 64; i++ {
		r.nodes++
		if r.nodes > r.budget {
			r.bombed = true
			r.add(r.pos(n), "aliases expand to over %d values, more than a file this size holds: write the values out instead of nesting aliases", r.budget)
			return nil
		}
		switch v := n.(type) {
		case *ast.AnchorNode:
			r.anchors[v.Name.GetToken().Value] = v.Value
			n = v.Value
		case *ast.AliasNode:
			name := v.Value.GetToken().Value
			target, ok := r.anchors[name]
			if !ok {
				r.add(r.pos(n), "alias *%s names no anchor written before it", name)
				return nil
			}
			n = target
		case *ast.TagNode:
			r.add(r.pos(n), "tags (%s) are not part of a catalog: remove it", v.Start.Value)
			return nil
		case *ast.CommentGroupNode:
			return nil
		default:
			return n
		}
	}
	return n
}

// kv is one key of a mapping, resolved.
type kv struct {
	key   string
	at    Pos
	value ast.Node
}

// mapping returns the keys of a mapping in order; what is not a mapping
// is a finding naming what was expected.
func (r *reader) mapping(n ast.Node, what string) ([]kv, bool) {
	at := r.pos(n)
	n = r.resolve(n)
	if n == nil {
		return nil, false
	}
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	case *ast.NullNode:
		return nil, true
	default:
		r.add(at, "%s must be a mapping (key: value), not %s", what, describe(n))
		return nil, false
	}
	out := make([]kv, 0, len(values))
	seen := map[string]bool{}
	for _, mv := range values {
		if _, merge := mv.Key.(*ast.MergeKeyNode); merge {
			r.add(r.pos(mv.Key), "merge keys (<<) are not supported in a catalog: use defaults:, or write the keys out")
			continue
		}
		k := r.resolve(mv.Key)
		if k == nil {
			continue
		}
		name, ok := scalarString(k)
		if !ok {
			r.add(r.pos(mv.Key), "a key of %s must be a word, not %s", what, describe(k))
			continue
		}
		if seen[name] {
			r.add(r.pos(mv.Key), "%s has the key %q twice", what, name)
			continue
		}
		seen[name] = true
		out = append(out, kv{name, r.pos(mv.Key), mv.Value})
	}
	return out, true
}

func (r *reader) sequence(n ast.Node, what string) ([]ast.Node, bool) {
	at := r.pos(n)
	n = r.resolve(n)
	switch v := n.(type) {
	case nil:
		return nil, false
	case *ast.SequenceNode:
		return v.Values, true
	case *ast.NullNode:
		return nil, true
	default:
		r.add(at, "%s must be a list, not %s", what, describe(n))
		return nil, false
	}
}

// scalarString is a scalar's text as written.
func scalarString(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	return "", false
}

func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "empty"
	case *ast.BoolNode:
		return "true/false"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	}
	return "text"
}

// str reads text.
func (r *reader) str(n ast.Node, what string) (string, bool) { return r.text(n, what, false) }

// scalar reads text, or a number written bare (warning: 30) as its text.
func (r *reader) scalar(n ast.Node, what string) (string, bool) { return r.text(n, what, true) }

func (r *reader) text(n ast.Node, what string, numbers bool) (string, bool) {
	at := r.pos(n)
	n = r.resolve(n)
	ok := false
	switch n.(type) {
	case nil:
		return "", false
	case *ast.StringNode, *ast.LiteralNode:
		ok = true
	case *ast.IntegerNode, *ast.FloatNode:
		ok = numbers
	}
	if !ok {
		want := "text"
		if numbers {
			want = "text or a number"
		}
		r.add(at, "%s must be %s, not %s", what, want, describe(n))
		return "", false
	}
	s, _ := scalarString(n)
	return s, true
}

func (r *reader) boolean(n ast.Node, what string) (bool, bool) {
	at := r.pos(n)
	n = r.resolve(n)
	if b, ok := n.(*ast.BoolNode); ok {
		return b.Value, true
	}
	if n != nil {
		r.add(at, "%s must be true or false, not %s", what, describe(n))
	}
	return false, false
}

func (r *reader) integer(n ast.Node, what string, min int) (int, bool) {
	at := r.pos(n)
	n = r.resolve(n)
	if n == nil {
		return 0, false
	}
	if _, ok := n.(*ast.IntegerNode); ok {
		v, err := strconv.Atoi(n.GetToken().Value)
		if err == nil && v >= min && v <= 1<<30 {
			return v, true
		}
	}
	r.add(at, "%s must be a whole number, %d or more, not %s", what, min, quoteNode(n))
	return 0, false
}

func quoteNode(n ast.Node) string {
	if s, ok := scalarString(n); ok {
		return strconv.Quote(s)
	}
	return describe(n)
}

// duration reads a Go duration ("1m", "10s") or a number of seconds.
func (r *reader) duration(n ast.Node, what string) (time.Duration, bool) {
	at := r.pos(n)
	s, ok := r.scalar(n, what)
	if !ok {
		return 0, false
	}
	d, err := parseDuration(s)
	if err != nil || d <= 0 {
		r.add(at, "%s %q is not a duration: write 1m, 10s or 90 (seconds)", what, s)
		return 0, false
	}
	return d, true
}

func parseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f > 1e9 {
			return 0, fmt.Errorf("out of range")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(s)
}

// strings reads text or a list of text.
func (r *reader) strs(n ast.Node, what string) []string {
	if _, isSeq := r.peek(n).(*ast.SequenceNode); !isSeq {
		s, ok := r.scalar(n, what)
		if !ok {
			return nil
		}
		return []string{s}
	}
	seq, _ := r.sequence(n, what)
	var out []string
	for _, e := range seq {
		if s, ok := r.scalar(e, what); ok {
			out = append(out, s)
		}
	}
	return out
}

// peek resolves without counting or recording: a look at the kind of node.
func (r *reader) peek(n ast.Node) ast.Node {
	for i := 0; i < 64; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			t, ok := r.anchors[v.Value.GetToken().Value]
			if !ok {
				return n
			}
			n = t
		default:
			return n
		}
	}
	return n
}

func (r *reader) unknown(k kv, what string, known []string) {
	r.add(k.at, "unknown key %q in %s (known: %s)", k.key, what, strings.Join(known, ", "))
}

var topKeys = []string{"defaults", "services"}

func (r *reader) top(n ast.Node, seen map[string]*Service, defaultsAt *Pos) {
	kvs, ok := r.mapping(n, "the catalog")
	if !ok {
		return
	}
	for _, k := range kvs {
		switch k.key {
		case "defaults":
			if defaultsAt.File != "" {
				r.add(k.at, "defaults: already given at %s: keep one defaults: in the catalog", *defaultsAt)
				continue
			}
			*defaultsAt = k.at
			r.defaults(k.value)
		case "services":
			r.services(k.value, seen)
		default:
			r.unknown(k, "the catalog", topKeys)
		}
	}
}

var defaultsKeys = []string{"check_interval", "max_check_attempts", "timeout", "drill_max_age", "plugin_dir", "drill_dir", "conf_dir"}

func (r *reader) defaults(n ast.Node) {
	kvs, _ := r.mapping(n, "defaults")
	d := &r.c.Defaults
	for _, k := range kvs {
		d.pos[k.key] = k.at
		switch k.key {
		case "check_interval":
			if v, ok := r.duration(k.value, "check_interval"); ok {
				d.CheckInterval = v
			}
		case "max_check_attempts":
			if v, ok := r.integer(k.value, "max_check_attempts", 1); ok {
				d.MaxCheckAttempts = v
			}
		case "timeout":
			if v, ok := r.duration(k.value, "timeout"); ok {
				d.Timeout = v
			}
		case "drill_max_age":
			if v, ok := r.duration(k.value, "drill_max_age"); ok {
				d.DrillMaxAge = v
			}
		case "plugin_dir":
			d.PluginDir, _ = r.absPath(k.value, "plugin_dir")
		case "drill_dir":
			d.DrillDir, _ = r.absPath(k.value, "drill_dir")
		case "conf_dir":
			d.ConfDir, _ = r.absPath(k.value, "conf_dir")
		default:
			r.unknown(k, "defaults", defaultsKeys)
		}
	}
}

func (r *reader) absPath(n ast.Node, what string) (string, bool) {
	at := r.pos(n)
	s, ok := r.str(n, what)
	if !ok {
		return "", false
	}
	if !strings.HasPrefix(s, "/") {
		r.add(at, "%s %q must be an absolute path on the host", what, s)
	}
	return s, true
}

func (r *reader) services(n ast.Node, seen map[string]*Service) {
	kvs, _ := r.mapping(n, "services")
	for _, k := range kvs {
		if prev, ok := seen[k.key]; ok {
			r.add(k.at, "service %s is already defined at %s: merge the two", k.key, prev.Pos)
			continue
		}
		if !validName(k.key) {
			r.add(k.at, "service name %q: use letters, digits, - and _ (as Mackerel does), starting with a letter or digit", k.key)
		}
		s := &Service{Name: k.key, Pos: k.at, Metrics: map[Kind][]Named{}, pos: map[string]Pos{}}
		seen[k.key] = s
		r.service(s, k.value)
	}
}

func validName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

var serviceKeys = []string{"owner", "runbook", "roles", "tls", "http", "process", "metrics"}

func (r *reader) service(s *Service, n ast.Node) {
	kvs, _ := r.mapping(n, "service "+s.Name)
	for _, k := range kvs {
		s.pos[k.key] = k.at
		switch k.key {
		case "owner":
			s.Owner, _ = r.str(k.value, "owner")
		case "runbook":
			s.Runbook, _ = r.str(k.value, "runbook")
		case "roles":
			s.Roles = r.names(k.value, "roles")
		case "tls", "http", "process":
			seq, _ := r.sequence(k.value, k.key)
			for _, e := range seq {
				it := &Item{Kind: Kind(k.key), Service: s, Pos: r.pos(e), pos: map[string]Pos{}}
				if r.item(it, e) {
					if prev := s.Item(it.Kind, it.Name); prev != nil {
						r.add(it.Pos, "%s item %q of service %s is already defined at %s: give each item its own name", it.Kind, it.Name, s.Name, prev.Pos)
						continue
					}
					s.Items = append(s.Items, it)
				}
			}
		case "metrics":
			mk, _ := r.mapping(k.value, "metrics")
			for _, m := range mk {
				switch Kind(m.key) {
				case TLS, HTTP, Process:
					s.Metrics[Kind(m.key)] = r.names(m.value, "metrics."+m.key)
				default:
					r.unknown(m, "metrics", []string{"tls", "http", "process"})
				}
			}
		default:
			r.unknown(k, "service "+s.Name, serviceKeys)
		}
	}
	// Items in kind order, whatever order the keys were written in.
	slices.SortStableFunc(s.Items, func(a, b *Item) int {
		return slices.Index(Kinds, a.Kind) - slices.Index(Kinds, b.Kind)
	})
}

func (r *reader) names(n ast.Node, what string) []Named {
	seq, _ := r.sequence(n, what)
	var out []Named
	seen := map[string]bool{}
	for _, e := range seq {
		at := r.pos(e)
		s, ok := r.scalar(e, what)
		if !ok {
			continue
		}
		if seen[s] {
			r.add(at, "%s names %q twice", what, s)
			continue
		}
		seen[s] = true
		out = append(out, Named{s, at})
	}
	return out
}

var commonKeys = []string{"name", "action", "roles", "args", "check_interval", "max_check_attempts", "timeout", "recover"}

// ItemKeys are the keys each kind of item takes.
var ItemKeys = map[Kind][]string{
	TLS:     append(slices.Clone(commonKeys), "target", "file", "warning", "critical"),
	HTTP:    append(slices.Clone(commonKeys), "url", "method", "scenario", "headers", "expect", "warning", "critical", "cert_warning", "cert_critical", "no_follow", "external"),
	Process: append(slices.Clone(commonKeys), "select", "critical_under", "warning_under", "warning_over", "critical_over"),
}

func (r *reader) item(it *Item, n ast.Node) bool {
	what := fmt.Sprintf("a %s item of service %s", it.Kind, it.Service.Name)
	kvs, ok := r.mapping(n, what)
	if !ok {
		return false
	}
	for _, k := range kvs {
		if k.key == "name" {
			it.Name, _ = r.scalar(k.value, "name")
			if it.Name != "" {
				what = fmt.Sprintf("%s item %s of service %s", it.Kind, it.Name, it.Service.Name)
			}
		}
	}
	if it.Name == "" {
		r.add(it.Pos, "%s has no name: give it name:", what)
		return false
	}
	if !validName(it.Name) {
		r.add(it.At("name"), "item name %q: use letters, digits, - and _, starting with a letter or digit", it.Name)
	}
	for _, k := range kvs {
		it.pos[k.key] = k.at
		v := k.value
		switch k.key {
		case "name":
		case "action":
			it.Action, _ = r.str(v, "action")
		case "roles":
			it.Roles = r.names(v, "roles")
		case "args":
			it.Args = r.strs(v, "args")
		case "check_interval":
			it.CheckInterval, _ = r.duration(v, "check_interval")
		case "max_check_attempts":
			it.MaxCheckAttempts, _ = r.integer(v, "max_check_attempts", 1)
		case "timeout":
			it.Timeout, _ = r.duration(v, "timeout")
		case "recover":
			it.Recover = r.recover(v)
		default:
			if !slices.Contains(ItemKeys[it.Kind], k.key) {
				r.unknown(k, what, ItemKeys[it.Kind])
				continue
			}
			r.kindKey(it, k)
		}
	}
	return true
}

func (r *reader) kindKey(it *Item, k kv) {
	v := k.value
	if dst, bare := it.textField(k.key); dst != nil {
		*dst, _ = r.text(v, k.key, bare)
		return
	}
	if dst := it.countField(k.key); dst != nil {
		if n, ok := r.integer(v, k.key, 0); ok {
			*dst = &n
		}
		return
	}
	switch k.key {
	case "headers":
		hs, _ := r.mapping(v, "headers")
		for _, h := range hs {
			if val, ok := r.scalar(h.value, "header "+h.key); ok {
				it.Headers = append(it.Headers, Header{h.key, val, h.at})
			}
		}
		slices.SortStableFunc(it.Headers, func(a, b Header) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	case "expect":
		ek, _ := r.mapping(v, "expect")
		for _, e := range ek {
			it.pos["expect."+e.key] = e.at
			switch e.key {
			case "status":
				it.Status, _ = r.scalar(e.value, "expect.status")
			case "contains":
				it.Contains = r.strs(e.value, "expect.contains")
			case "pattern":
				it.Pattern = r.strs(e.value, "expect.pattern")
			case "jq":
				it.JQ = r.strs(e.value, "expect.jq")
			default:
				r.unknown(e, "expect", []string{"status", "contains", "pattern", "jq"})
			}
		}
	case "no_follow":
		it.NoFollow, _ = r.boolean(v, "no_follow")
	case "external":
		it.External, _ = r.boolean(v, "external")
	case "select":
		sk, _ := r.mapping(v, "select")
		for _, e := range sk {
			it.pos["select."+e.key] = e.at
			dst := it.Select.field(e.key)
			if dst == nil {
				r.unknown(e, "select", selectKeys)
				continue
			}
			*dst, _ = r.scalar(e.value, "select."+e.key)
		}
	}
}

// textField is the field an item key read as text fills, and whether a
// number written bare (warning: 30) is taken as its text.
func (it *Item) textField(key string) (dst *string, bare bool) {
	switch key {
	case "target":
		return &it.Target, true
	case "file":
		return &it.File, false
	case "warning":
		return &it.Warning, true
	case "critical":
		return &it.Critical, true
	case "url":
		return &it.URL, false
	case "method":
		return &it.Method, false
	case "scenario":
		return &it.Scenario, false
	case "cert_warning":
		return &it.CertWarning, true
	case "cert_critical":
		return &it.CertCritical, true
	}
	return nil, false
}

// countField is the process count bound an item key sets.
func (it *Item) countField(key string) **int {
	switch key {
	case "critical_under":
		return &it.CriticalUnder
	case "warning_under":
		return &it.WarningUnder
	case "warning_over":
		return &it.WarningOver
	case "critical_over":
		return &it.CriticalOver
	}
	return nil
}

var selectKeys = []string{"name", "pattern", "exe", "pidfile", "systemd_unit", "user"}

// field is the selector a select: key fills.
func (s *Select) field(key string) *string {
	switch key {
	case "name":
		return &s.Name
	case "pattern":
		return &s.Pattern
	case "exe":
		return &s.Exe
	case "pidfile":
		return &s.PIDFile
	case "systemd_unit":
		return &s.SystemdUnit
	case "user":
		return &s.User
	}
	return nil
}

func (r *reader) recover(n ast.Node) *Recover {
	rc := &Recover{Pos: r.pos(n)}
	kvs, ok := r.mapping(n, "recover")
	if !ok {
		return nil
	}
	for _, k := range kvs {
		switch k.key {
		case "run":
			rc.Run, _ = r.str(k.value, "recover.run")
		case "at_most":
			rc.AtMost, _ = r.scalar(k.value, "recover.at_most")
		case "eventbridge":
			rc.EventBridge = true
			r.add(k.at, "recover.eventbridge is reserved for cross-host recovery, which frontline does not run yet: use recover.run on the item's own hosts")
		default:
			r.unknown(k, "recover", []string{"run", "at_most", "eventbridge"})
		}
	}
	return rc
}
