package appmetrics

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/certexpiry"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netflags"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsclient"
)

// defaultPrefix starts every metric name unless --prefix says otherwise.
const defaultPrefix = "app"

// Command names the binary: its usage line, and the name its usage errors
// go to stderr under.
var Command = cli.Plugin{
	Name:  "mackerel-plugin-app",
	Usage: "[OPTIONS]",
}

// Options are the plugin's flags; they make it a cli.Metric.
type Options struct {
	cli.CommonOptions

	TLS     []string `long:"tls" value-name:"NAME=TARGET" description:"certificate to graph the days left of, as check-tls-expiry judges it; TARGET is HOST[:PORT] (443 by default) or file:PATH: tls_days.NAME and tls_valid.NAME (repeatable)"`
	HTTP    []string `long:"http" value-name:"NAME=URL" description:"endpoint to GET: http_time.NAME (phases in ms), http_status.NAME and http_up.NAME (repeatable)"`
	Process []string `long:"process" value-name:"NAME=SELECTOR" description:"process group; SELECTOR is a regular expression the command line matches, name:COMM or unit:UNIT (systemd): proc_count, proc_cpu, proc_rss, proc_fds, proc_threads and proc_uptime of NAME (repeatable)"`

	netflags.Trust
	netflags.NoVerify
	HostContext bool   `long:"host-context" description:"also graph the host's host.cpu_used and host.mem_used (%)"`
	Prefix      string `long:"prefix" value-name:"PREFIX" description:"first part of every metric name (default: app)"`
	Config      string `long:"config" value-name:"FILE" description:"targets and options from a TOML (.toml) or YAML (.yaml, .yml) file, beside those of the flags"`

	stderr    io.Writer
	collector *collector
}

// NewOptions returns the plugin's options; what a run has to say beside
// its metrics goes to stderr.
func NewOptions(stderr io.Writer) *Options { return &Options{stderr: stderr} }

// FlagHelp says which targets the shared TLS flags serve.
func (o *Options) FlagHelp() map[string]string {
	return map[string]string{
		"ca-file":   "extra trust anchors (PEM) for --tls and https --http targets, for a private CA",
		"no-verify": "skip chain and hostname verification of --tls and https --http targets",
	}
}

// ParseArgs validates a command line of mackerel-plugin-app as the binary
// does, reading the files it names but measuring nothing: the error is
// what the binary prints to stderr after "mackerel-plugin-app UNKNOWN: ",
// or cli.ErrDone for --help and --version.
func ParseArgs(args []string) (*Options, error) {
	o := NewOptions(io.Discard)
	return o, cli.Prepare(context.Background(), Command, o, args, io.Discard)
}

// meta reports a meta run: the agent asks for graph definitions with
// MACKEREL_AGENT_PLUGIN_META=1, and sets it empty for a run of values.
func meta() bool { return os.Getenv("MACKEREL_AGENT_PLUGIN_META") != "" }

// Prepare checks the flags, reads the config file and the CA file.
func (o *Options) Prepare(ctx context.Context, args []string) error {
	if len(args) > 0 {
		//lint:ignore ST1005 the ellipsis is part of the usage users read
		return fmt.Errorf("unexpected argument %q: targets are given as --tls, --http or --process NAME=...", args[0])
	}
	spec := &targetSpec{}
	for _, kind := range []struct {
		name string
		vals []string
	}{{"tls", o.TLS}, {"http", o.HTTP}, {"process", o.Process}} {
		for _, v := range kind.vals {
			if err := spec.add(kind.name, v); err != nil {
				return err
			}
		}
	}
	prefix, caFile, noVerify, host := o.Prefix, o.CAFile, o.NoVerify.NoVerify, o.HostContext
	// What the config file gives is named by its key, and the file.
	caName, skip, fromConfig := "--ca-file", o.NoVerify.Skip(), false
	if o.Config != "" {
		end := inflight.Begin(ctx, "reading --config "+o.Config, check.UNKNOWN)
		data, err := localfile.Read(o.Config, maxConfigFile)
		end()
		if err != nil {
			return fmt.Errorf("--config: %v", err)
		}
		f, err := parseFile(o.Config, data)
		if err != nil {
			return err
		}
		if err := f.addTo(spec); err != nil {
			return fmt.Errorf("--config %s: %v", o.Config, err)
		}
		if prefix == "" {
			prefix = f.Prefix
		}
		if caFile == "" && f.CAFile != "" {
			caFile, caName, fromConfig = f.CAFile, "ca_file", true
		}
		if !noVerify && f.NoVerify {
			noVerify, skip, fromConfig = true, "no_verify", true
		}
		host = host || f.HostContext
	}
	if prefix == "" {
		prefix = defaultPrefix
	}
	if err := validPrefix(prefix); err != nil {
		return err
	}
	if err := spec.validate(); err != nil {
		return err
	}
	if len(spec.TLS)+len(spec.HTTP)+len(spec.Process) == 0 && !host {
		return fmt.Errorf("nothing to measure: give --tls, --http, --process or --host-context, or a --config file that names targets")
	}
	inConfig := func(err error) error {
		if fromConfig {
			return fmt.Errorf("--config %s: %w", o.Config, err)
		}
		return err
	}
	if err := netflags.Conflict(caName, caFile, skip); err != nil {
		return inConfig(err)
	}

	c := &collector{Prefix: prefix, Spec: spec, HostContext: host, Stderr: o.stderr}
	c.ConfigHash = hashConfig(prefix, spec)
	c.StatePath = stateFile(c.ConfigHash)
	c.TLS.NoVerify = noVerify
	// check-tls-expiry's defaults: the certificate that decides is the
	// worst judged, so the same thresholds pick the same one.
	c.TLS.Warning, c.TLS.Critical = certexpiry.DefaultWarning, certexpiry.DefaultCritical
	c.HTTP.Insecure = noVerify
	for _, t := range spec.TLS {
		c.TLS.Targets = append(c.TLS.Targets, t.Target)
	}
	if !meta() {
		anchors, err := tlsclient.LoadTrust(ctx, caName, caFile, skip)
		if err != nil {
			return inConfig(err)
		}
		c.TLS.Trust, c.HTTP.Trust = anchors, anchors
	}
	o.collector = c
	return nil
}

// Run prints the graph definitions on a meta run, the metric values on
// any other.
func (o *Options) Run(ctx context.Context, w io.Writer) error {
	c := o.collector
	if meta() {
		return writeMeta(w, graphDefs(c.Prefix, c.Spec, c.HostContext))
	}
	// Before any client is built: net/http reads GODEBUG when a transport
	// is first used, and follows os.Setenv.
	httpprobe.KeepHTTP2()
	return c.Run(ctx, w)
}
