package tlsexpiry

import (
	"context"
	"io"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry/options"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsclient"
)

// Command names the binary: its usage line, and the tag of its messages.
var Command = options.Command

// Options are check-tls-expiry's flags (declared, with their syntax, in
// the options package); Prepare turns them into a Config, reading the
// files they name, and Run checks it: a cli.Check.
type Options struct {
	options.Flags
	config Config
}

// NewOptions returns the options before any flag is parsed.
func NewOptions() *Options {
	o := &Options{}
	o.Flags.Init()
	return o
}

// Prepare reads the targets and files the flags name; an error is a usage
// error that says how to fix it.
func (o *Options) Prepare(ctx context.Context, args []string) error {
	s, err := o.Settings(args)
	if err != nil {
		return err
	}
	c := &o.config
	c.Targets, c.SNI, c.IP, c.AllAddresses, c.Family = s.Targets, s.SNI, s.IP, s.AllAddresses, s.Family
	c.Warning, c.Critical = s.Warning, s.Critical
	c.NoVerify, c.ExpectFile, c.Verbose = s.NoVerify, s.ExpectFile, s.Verbose
	c.Trust, c.ClientCert, err = tlsclient.Load(ctx, o.TLSClient, o.Skip())
	if err != nil {
		return err
	}
	return c.Validate()
}

// Run checks what Prepare read.
func (o *Options) Run(ctx context.Context) *check.Report {
	return Check(ctx, &o.config)
}

// ParseArgs validates a command line of check-tls-expiry as the binary
// does, reading the files it names but reaching no endpoint: the error is
// what the binary prints after "TLS UNKNOWN: ", or cli.ErrDone for --help
// and --version.
func ParseArgs(args []string) (*Options, error) {
	o := NewOptions()
	return o, cli.Prepare(context.Background(), Command, o, args, io.Discard)
}
