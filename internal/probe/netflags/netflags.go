// Package netflags declares, once, the flag groups that several plugins
// share to reach their peers: the address family (-4/-6) and the TLS
// client (--ca-file, --cert-file/--key-file, and the flag that skips
// verification, spelled as each plugin's peers spell it). A plugin embeds
// the groups by value in its options, where its --help lists them; where a
// plugin words a flag's help its own way, cli.Parse applies its
// FlagHelp. The validation of each group is a method here, so that every
// plugin refuses the same mistakes in the same words.
package netflags

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// AddressFamily is -4 and -6.
type AddressFamily struct {
	IPv4 bool `short:"4" description:"resolve and connect over IPv4 only"`
	IPv6 bool `short:"6" description:"resolve and connect over IPv6 only"`
}

// Family is the family the flags ask for: both unless one is given.
func (a AddressFamily) Family() (netdial.Family, error) {
	switch {
	case a.IPv4 && a.IPv6:
		return netdial.AnyFamily, fmt.Errorf("-4 and -6 conflict: give one, or neither for both families")
	case a.IPv4:
		return netdial.IPv4, nil
	case a.IPv6:
		return netdial.IPv6, nil
	}
	return netdial.AnyFamily, nil
}

// Trust is --ca-file: trust anchors beside the system's.
type Trust struct {
	CAFile string `long:"ca-file" value-name:"PATH" description:"extra trust anchors (PEM), for a private CA"`
}

// Load reads --ca-file; nil when it is not given. skip names the flag that
// turned verification off, "" when it is on: anchors beside it would
// verify nothing, which is refused rather than ignored.
func (t Trust) Load(ctx context.Context, skip string) (*certchain.Trust, error) {
	return LoadTrust(ctx, "--ca-file", t.CAFile, skip)
}

// LoadTrust is Trust.Load for anchors given as name: a flag, or a config
// file's key (ca_file), which the errors say.
func LoadTrust(ctx context.Context, name, path, skip string) (*certchain.Trust, error) {
	if err := Conflict(name, path, skip); err != nil || path == "" {
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

// Conflict refuses anchors (path, given as name) beside the flag or key
// named skip, as LoadTrust does, for a run that checks its options but
// reads no file.
func Conflict(name, path, skip string) error {
	if path != "" && skip != "" {
		return fmt.Errorf("%s and %s conflict: %s adds trust anchors for verification", name, skip, name)
	}
	return nil
}

// ClientCert is --cert-file and --key-file, for servers that require mTLS.
type ClientCert struct {
	CertFile string `long:"cert-file" value-name:"PATH" description:"client certificate (PEM) for servers that require mTLS"`
	KeyFile  string `long:"key-file" value-name:"PATH" description:"key of the client certificate (PEM)"`
}

// Load reads the client certificate; nil when neither flag is given.
func (c ClientCert) Load(ctx context.Context) (*tls.Certificate, error) {
	if (c.CertFile == "") != (c.KeyFile == "") {
		return nil, fmt.Errorf("--cert-file and --key-file go together: give both for a client certificate")
	}
	if c.CertFile == "" {
		return nil, nil
	}
	end := inflight.Begin(ctx, "reading --cert-file "+c.CertFile+" and --key-file "+c.KeyFile, check.UNKNOWN)
	defer end()
	return certchain.ReadClientCert(c.CertFile, c.KeyFile)
}

// TLSClient is the whole client side of TLS but the flag that skips
// verification, which a plugin embeds beside it: NoVerify or Insecure.
type TLSClient struct {
	Trust
	ClientCert
}

// Load reads both groups; skip is as Trust.Load's.
func (c TLSClient) Load(ctx context.Context, skip string) (*certchain.Trust, *tls.Certificate, error) {
	trust, err := c.Trust.Load(ctx, skip)
	if err != nil {
		return nil, nil, err
	}
	cert, err := c.ClientCert.Load(ctx)
	if err != nil {
		return nil, nil, err
	}
	return trust, cert, nil
}

// NoVerify is --no-verify, as check-ssl-cert spells it.
type NoVerify struct {
	NoVerify bool `long:"no-verify" description:"skip chain and hostname verification"`
}

// Skip names the flag for Trust.Load: "" when verification is on.
func (n NoVerify) Skip() string {
	if n.NoVerify {
		return "--no-verify"
	}
	return ""
}

// Insecure is --insecure, as curl and check-http spell it.
type Insecure struct {
	Insecure bool `long:"insecure" description:"skip certificate and host name verification"`
}

// Skip names the flag for Trust.Load: "" when verification is on.
func (i Insecure) Skip() string {
	if i.Insecure {
		return "--insecure"
	}
	return ""
}
