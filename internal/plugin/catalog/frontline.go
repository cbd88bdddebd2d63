package catalog

// The frontline binary's commands: its flags, and how each command reads
// the catalog, reports and writes.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jessevdk/go-flags"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/core/version"
)

// Exit codes: check's table (0 clean, 1 findings, 2 unreadable) holds for
// every command that reads a catalog; 3 is a usage error, as for the
// plugins.
const (
	exitOK         = 0
	exitFindings   = 1
	exitUnreadable = 2
	exitUsage      = 3
)

type hostFlags struct {
	PluginDir string `long:"plugin-dir" value-name:"DIR" description:"where the plugins are on the hosts (default: the catalog's defaults.plugin_dir)"`
	DrillDir  string `long:"drill-dir" value-name:"DIR" description:"where drill files are on the hosts (default: defaults.drill_dir)"`
	ConfDir   string `long:"conf-dir" value-name:"DIR" description:"the agent's conf.d on the hosts (default: defaults.conf_dir)"`
}

func (h hostFlags) host() Host {
	return Host(h)
}

type catalogArg struct {
	Catalog string `positional-arg-name:"CATALOG" description:"catalog file, or a folder of *.yaml files" required:"yes"`
}

type options struct {
	Version bool `long:"version" description:"print the version and exit"`

	Check struct {
		Generated string `long:"generated" value-name:"DIR" description:"also fail when a file in DIR differs from what the catalog generates now"`
		hostFlags
		Args catalogArg `positional-args:"yes" required:"yes"`
	} `command:"check" description:"validate the catalog: one finding a line, FILE:LINE:COL: message"`

	AgentConf struct {
		Role   string `long:"role" value-name:"SERVICE:ROLE" required:"yes" description:"the Mackerel role whose hosts include the files"`
		Output string `short:"o" long:"output" value-name:"DIR" required:"yes" description:"folder the files are written to"`
		hostFlags
		Args catalogArg `positional-args:"yes" required:"yes"`
	} `command:"agent-conf" description:"write the agent configuration a host of SERVICE:ROLE includes from conf.d"`

	Monitors struct {
		Output string     `short:"o" long:"output" value-name:"FILE" description:"write monitors.json to FILE instead of stdout"`
		Merge  string     `long:"merge" value-name:"FILE" description:"keep the monitors of FILE (from mkr monitors pull) that the catalog does not own: mkr monitors push deletes what its file lacks"`
		Args   catalogArg `positional-args:"yes" required:"yes"`
	} `command:"monitors" description:"write the external monitors in mkr monitors format"`

	Doc struct {
		Output string     `short:"o" long:"output" value-name:"FILE" description:"write the document to FILE instead of stdout"`
		Args   catalogArg `positional-args:"yes" required:"yes"`
	} `command:"doc" description:"write the monitoring document (Markdown)"`

	Generate struct {
		Output string `short:"o" long:"output" value-name:"DIR" required:"yes" description:"folder the files are written to"`
		hostFlags
		Args catalogArg `positional-args:"yes" required:"yes"`
	} `command:"generate" description:"write every generated file: monitors.json, MONITORING.md, agent/*"`

	Incident struct {
		Item    string `long:"item" value-name:"NAME" description:"the item that fired"`
		Message string `long:"message" value-name:"TEXT" description:"the alert text (default: $MACKEREL_CHECK_MESSAGE, else the item's example alert)"`
		Output  string `short:"o" long:"output" value-name:"FILE" description:"write the record to FILE instead of stdout"`
		Args    struct {
			Catalog string `positional-arg-name:"CATALOG" required:"yes"`
			Service string `positional-arg-name:"SERVICE" required:"yes"`
		} `positional-args:"yes" required:"yes"`
	} `command:"incident" description:"write an incident record for a service"`

	Drill struct {
		Status string        `long:"status" value-name:"STATUS" description:"the status the check reports: ok, warning, critical or unknown"`
		For    *cli.Duration `long:"for" value-name:"DURATION" description:"how long the drill lasts (default and at most: defaults.drill_max_age)"`
		Note   string        `long:"note" value-name:"TEXT" description:"what the alert says after [DRILL]"`
		Clear  bool          `long:"clear" description:"remove the drill file: the drill ends"`
		hostFlags
		Args struct {
			Catalog string `positional-arg-name:"CATALOG" required:"yes"`
			Service string `positional-arg-name:"SERVICE" required:"yes"`
			Item    string `positional-arg-name:"ITEM" required:"yes"`
		} `positional-args:"yes" required:"yes"`
	} `command:"drill" description:"write (or --clear) the drill file an item's check reads"`

	Schema struct {
		Output string `short:"o" long:"output" value-name:"FILE" description:"write the schema to FILE instead of stdout"`
	} `command:"schema" description:"print the catalog's JSON Schema, for editors"`
}

// softMemoryLimit is where the collector starts working harder. The
// YAML tree of a catalog is most of the heap, for the moment it is read
// (22 MiB for 2,000 items); left to GOGC alone the heap grows to twice
// that before a collection, and such a catalog took 45-65 MiB of RSS.
// With the limit it takes 42-44 MiB, for the same CPU. A larger catalog
// still loads: the limit is soft. GOMEMLIMIT overrides it.
const softMemoryLimit = 40 << 20

// Main runs frontline with the command line args (without the program
// name) and returns its exit code.
func Main(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "frontline: internal error: %v\n", r)
			code = exitUsage
		}
	}()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	var o options
	p := flags.NewParser(&o, flags.HelpFlag|flags.PassDoubleDash)
	p.Name = "frontline"
	p.SubcommandsOptional = true
	_, err := p.ParseArgs(args)
	var ferr *flags.Error
	switch {
	case errors.As(err, &ferr) && ferr.Type == flags.ErrHelp:
		fmt.Fprintln(stdout, strings.TrimRight(ferr.Message, "\n"))
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "frontline: %s (see frontline --help)\n", oneLine(err.Error()))
		return exitUsage
	case o.Version:
		fmt.Fprintln(stdout, version.String("frontline"))
		return exitOK
	case p.Active == nil:
		fmt.Fprintln(stderr, "frontline: give a command: check, agent-conf, monitors, doc, generate, incident, drill or schema (see frontline --help)")
		return exitUsage
	}
	c := &cmd{stdout: stdout, stderr: stderr}
	switch p.Active.Name {
	case "check":
		return c.check(o.Check.Args.Catalog, o.Check.Generated, o.Check.host())
	case "agent-conf":
		return c.withCatalog(o.AgentConf.Args.Catalog, func(cat *Catalog) int {
			service, role, err := ParseRole(o.AgentConf.Role)
			if err != nil {
				return c.usage(err)
			}
			files, err := cat.AgentConf(service, role, cat.Host(o.AgentConf.host()))
			if err != nil {
				return c.fail(err)
			}
			return c.writeFiles(o.AgentConf.Output, files)
		})
	case "monitors":
		return c.withCatalog(o.Monitors.Args.Catalog, func(cat *Catalog) int {
			if o.Monitors.Merge == "" {
				return c.output(o.Monitors.Output, cat.MonitorsJSON())
			}
			pulled, err := os.ReadFile(o.Monitors.Merge)
			if err != nil {
				return c.fail(fmt.Errorf("--merge: %w", err))
			}
			merged, err := cat.MergeMonitors(pulled)
			if err != nil {
				return c.fail(fmt.Errorf("--merge %s: %w", o.Monitors.Merge, err))
			}
			return c.output(o.Monitors.Output, merged)
		})
	case "doc":
		return c.withCatalog(o.Doc.Args.Catalog, func(cat *Catalog) int {
			return c.output(o.Doc.Output, cat.Doc())
		})
	case "generate":
		return c.withCatalog(o.Generate.Args.Catalog, func(cat *Catalog) int {
			files, err := cat.Generate(cat.Host(o.Generate.host()))
			if err != nil {
				return c.fail(err)
			}
			return c.writeFiles(o.Generate.Output, files)
		})
	case "incident":
		in := o.Incident
		return c.withCatalog(in.Args.Catalog, func(cat *Catalog) int {
			s, it, code := c.find(cat, in.Args.Service, in.Item)
			if code != exitOK {
				return code
			}
			msg := in.Message
			if msg == "" {
				msg = os.Getenv("MACKEREL_CHECK_MESSAGE")
			}
			return c.output(in.Output, cat.Incident(s, it, msg, time.Now()))
		})
	case "drill":
		d := o.Drill
		return c.withCatalog(d.Args.Catalog, func(cat *Catalog) int {
			_, it, code := c.find(cat, d.Args.Service, d.Args.Item)
			if code != exitOK {
				return code
			}
			h := cat.Host(d.host())
			if d.Clear {
				if d.Status != "" || d.For != nil || d.Note != "" {
					return c.usage(errors.New("--clear ends the drill: give it without --status, --for and --note"))
				}
				path, err := ClearDrill(it, h)
				if err != nil {
					return c.fail(err)
				}
				fmt.Fprintf(stdout, "removed %s: %s reports its real status from its next run\n", path, it.CheckName())
				return exitOK
			}
			if d.Status == "" {
				return c.usage(errors.New("give --status ok|warning|critical|unknown, or --clear"))
			}
			var lasting time.Duration
			if d.For != nil {
				lasting = time.Duration(*d.For)
			}
			path, err := cat.WriteDrill(it, h, d.Status, d.Note, lasting, time.Now())
			var de *DrillError
			if errors.As(err, &de) {
				return c.usage(err)
			}
			if err != nil {
				return c.fail(err)
			}
			fmt.Fprintf(stdout, "wrote %s: %s reports %s from its next run; end it with frontline drill --clear\n", path, it.CheckName(), strings.ToUpper(d.Status))
			return exitOK
		})
	case "schema":
		return c.output(o.Schema.Output, Schema())
	}
	return c.usage(fmt.Errorf("unknown command %s", p.Active.Name))
}

type cmd struct{ stdout, stderr io.Writer }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (c *cmd) usage(err error) int {
	fmt.Fprintf(c.stderr, "frontline: %s\n", oneLine(err.Error()))
	return exitUsage
}

func (c *cmd) fail(err error) int {
	var re *RoleError
	if errors.As(err, &re) {
		return c.usage(err)
	}
	fmt.Fprintf(c.stderr, "frontline: %s\n", oneLine(err.Error()))
	return exitUnreadable
}

// load reads the catalog; a catalog with findings is not generated from.
func (c *cmd) load(path string) (*Catalog, []Finding, int) {
	cat, err := Load(path)
	if err != nil {
		fmt.Fprintf(c.stderr, "frontline: %s\n", oneLine(err.Error()))
		return nil, nil, exitUnreadable
	}
	return cat, cat.Check(), exitOK
}

func (c *cmd) check(path, generated string, h Host) int {
	cat, findings, code := c.load(path)
	if code != exitOK {
		return code
	}
	if generated != "" && len(findings) == 0 {
		drift, err := cat.Drift(generated, cat.Host(h))
		if err != nil {
			return c.fail(err)
		}
		findings = append(findings, drift...)
	}
	for _, f := range findings {
		fmt.Fprintln(c.stdout, f)
	}
	if len(findings) > 0 {
		fmt.Fprintf(c.stderr, "frontline: %d %s\n", len(findings), textfmt.Plural(len(findings), "finding"))
		return exitFindings
	}
	return exitOK
}

// withCatalog runs a generator over a catalog that passes check; the
// findings of one that does not go to stderr and nothing is written.
func (c *cmd) withCatalog(path string, gen func(*Catalog) int) int {
	cat, findings, code := c.load(path)
	if code != exitOK {
		return code
	}
	if len(findings) > 0 {
		for _, f := range findings {
			fmt.Fprintln(c.stderr, f)
		}
		fmt.Fprintf(c.stderr, "frontline: the catalog has %d %s (frontline check lists them): nothing written\n", len(findings), textfmt.Plural(len(findings), "finding"))
		return exitFindings
	}
	return gen(cat)
}

func (c *cmd) find(cat *Catalog, service, item string) (*Service, *Item, int) {
	s := cat.Service(service)
	if s == nil {
		var names []string
		for _, s := range cat.Services {
			names = append(names, s.Name)
		}
		return nil, nil, c.usage(fmt.Errorf("no service %q in the catalog: give one of %s", service, strings.Join(names, ", ")))
	}
	if item == "" {
		return s, nil, exitOK
	}
	var found []*Item
	var names []string
	for _, it := range s.Items {
		names = append(names, it.Name)
		if it.Name == item || string(it.Kind)+"-"+it.Name == item || it.CheckName() == item {
			found = append(found, it)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil, c.usage(fmt.Errorf("service %s has no item %q: give one of %s", service, item, strings.Join(names, ", ")))
	case 1:
		return s, found[0], exitOK
	}
	return nil, nil, c.usage(fmt.Errorf("service %s has several items named %s: give KIND-NAME (tls-%s, http-%s, process-%s)", service, item, item, item, item))
}

func (c *cmd) output(path string, data []byte) int {
	if path == "" {
		c.stdout.Write(data)
		return exitOK
	}
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := (Files{name: data}).Write(dir); err != nil {
		return c.fail(err)
	}
	return exitOK
}

func (c *cmd) writeFiles(dir string, files Files) int {
	if err := files.Write(dir); err != nil {
		return c.fail(err)
	}
	for _, n := range files.Names() {
		fmt.Fprintln(c.stdout, "wrote", filepath.Join(dir, filepath.FromSlash(n)))
	}
	return exitOK
}
