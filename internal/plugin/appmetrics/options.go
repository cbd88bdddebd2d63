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
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
)

// DefaultPrefix starts every metric name unless --prefix says otherwise.
const DefaultPrefix = "app"

// Options are the plugin's flags; they make it a cli.Metric.
type Options struct {
	cli.CommonOptions

	TLS     []string `long:"tls" value-name:"NAME=TARGET" description:"certificate to graph the days left of, as check-tls-expiry judges it; TARGET is HOST[:PORT] (443 by default) or file:PATH: tls_days.NAME and tls_valid.NAME (repeatable)"`
	HTTP    []string `long:"http" value-name:"NAME=URL" description:"endpoint to GET: http_time.NAME (phases in ms), http_status.NAME and http_up.NAME (repeatable)"`
	Process []string `long:"process" value-name:"NAME=SELECTOR" description:"process group; SELECTOR is a regular expression the command line matches, name:COMM or unit:UNIT (systemd): proc_count, proc_cpu, proc_rss, proc_fds, proc_threads and proc_uptime of NAME (repeatable)"`

	CAFile      string `long:"ca-file" value-name:"PATH" description:"extra trust anchors (PEM) for --tls and https --http targets, for a private CA"`
	NoVerify    bool   `long:"no-verify" description:"skip chain and hostname verification of --tls and https --http targets"`
	HostContext bool   `long:"host-context" description:"also graph the host's host.cpu_used and host.mem_used (%)"`
	Prefix      string `long:"prefix" value-name:"PREFIX" description:"first part of every metric name (default: app)"`
	Config      string `long:"config" value-name:"FILE" description:"targets and options from a TOML (.toml) or YAML (.yaml, .yml) file, beside those of the flags"`

	stderr    io.Writer
	collector *Collector
}

// NewOptions returns the plugin's options; what a run has to say beside
// its metrics goes to stderr.
func NewOptions(stderr io.Writer) *Options { return &Options{stderr: stderr} }

// meta reports a meta run: the agent asks for graph definitions with
// MACKEREL_AGENT_PLUGIN_META=1, and sets it empty for a run of values.
func meta() bool { return os.Getenv("MACKEREL_AGENT_PLUGIN_META") != "" }

// Prepare checks the flags, reads the config file and the CA file.
func (o *Options) Prepare(ctx context.Context, args []string) error {
	if len(args) > 0 {
		//lint:ignore ST1005 the ellipsis is part of the usage users read
		return fmt.Errorf("unexpected argument %q: targets are given as --tls, --http or --process NAME=...", args[0])
	}
	spec := &Spec{}
	for _, kind := range []struct {
		name string
		vals []string
	}{{"tls", o.TLS}, {"http", o.HTTP}, {"process", o.Process}} {
		for _, v := range kind.vals {
			if err := spec.Add(kind.name, v); err != nil {
				return err
			}
		}
	}
	prefix, caFile, noVerify, host := o.Prefix, o.CAFile, o.NoVerify, o.HostContext
	if o.Config != "" {
		end := inflight.Begin(ctx, "reading --config "+o.Config, check.UNKNOWN)
		data, err := localfile.Read(o.Config, MaxConfigFile)
		end()
		if err != nil {
			return fmt.Errorf("--config: %v", err)
		}
		f, err := ParseFile(o.Config, data)
		if err != nil {
			return err
		}
		if err := f.AddTo(spec); err != nil {
			return fmt.Errorf("--config %s: %v", o.Config, err)
		}
		if prefix == "" {
			prefix = f.Prefix
		}
		if caFile == "" {
			caFile = f.CAFile
		}
		noVerify = noVerify || f.NoVerify
		host = host || f.HostContext
	}
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if err := ValidPrefix(prefix); err != nil {
		return err
	}
	if err := spec.Check(); err != nil {
		return err
	}
	if len(spec.TLS)+len(spec.HTTP)+len(spec.Process) == 0 && !host {
		return fmt.Errorf("nothing to measure: give --tls, --http, --process or --host-context, or a --config file that names targets")
	}
	if caFile != "" && noVerify {
		return fmt.Errorf("--ca-file and --no-verify conflict: --ca-file adds trust anchors for verification")
	}

	c := &Collector{Prefix: prefix, Spec: spec, HostContext: host, Stderr: o.stderr}
	c.ConfigHash = ConfigHash(prefix, spec)
	c.StatePath = StateFile(c.ConfigHash)
	c.TLS.NoVerify = noVerify
	// check-tls-expiry's defaults: the certificate that decides is the
	// worst judged, so the same thresholds pick the same one.
	c.TLS.Warning, c.TLS.Critical = tlsexpiry.DefaultWarning, tlsexpiry.DefaultCritical
	c.HTTP.Insecure = noVerify
	for _, t := range spec.TLS {
		c.TLS.Targets = append(c.TLS.Targets, t.Target)
	}
	if caFile != "" && !meta() {
		trust, err := certchain.LoadTrust(ctx, caFile)
		if err != nil {
			return err
		}
		c.TLS.Trust, c.HTTP.Trust = trust, trust
	}
	if len(c.TLS.Targets) > 0 {
		if err := c.TLS.Validate(); err != nil {
			return err
		}
	}
	o.collector = c
	return nil
}

// Run prints the graph definitions on a meta run, the metric values on
// any other.
func (o *Options) Run(ctx context.Context, w io.Writer) error {
	c := o.collector
	if meta() {
		return WriteMeta(w, Graphs(c.Prefix, c.Spec, c.HostContext))
	}
	return c.Run(ctx, w)
}
