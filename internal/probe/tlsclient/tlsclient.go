// Package tlsclient reads the files netflags' TLS client flags name: the
// trust anchors of --ca-file and the client certificate of --cert-file
// and --key-file. It is apart from netflags so that the flags can be
// parsed and checked without a TLS stack.
package tlsclient

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netflags"
)

// Load reads both groups of c. skip names the flag that turned
// verification off, "" when it is on: anchors beside it are refused.
func Load(ctx context.Context, c netflags.TLSClient, skip string) (*certchain.Trust, *tls.Certificate, error) {
	trust, err := LoadTrust(ctx, "--ca-file", c.CAFile, skip)
	if err != nil {
		return nil, nil, err
	}
	if err := c.ClientCert.Check(); err != nil {
		return nil, nil, err
	}
	if c.CertFile == "" {
		return trust, nil, nil
	}
	end := inflight.Begin(ctx, "reading --cert-file "+c.CertFile+" and --key-file "+c.KeyFile, check.UNKNOWN)
	defer end()
	cert, err := certchain.ReadClientCert(c.CertFile, c.KeyFile)
	if err != nil {
		return nil, nil, err
	}
	return trust, cert, nil
}

// LoadTrust reads anchors given as name: a flag, or a config file's key
// (ca_file), which the errors say; nil when path is "". skip is as
// Load's.
func LoadTrust(ctx context.Context, name, path, skip string) (*certchain.Trust, error) {
	if err := netflags.Conflict(name, path, skip); err != nil || path == "" {
		return nil, err
	}
	end := inflight.Begin(ctx, "reading "+name+" "+path, check.UNKNOWN)
	trust, err := certchain.ReadTrust(path)
	end()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return trust, nil
}
