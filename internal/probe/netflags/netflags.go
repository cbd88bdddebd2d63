// Package netflags declares, once, the flag groups that several plugins
// share to reach their peers: the address family (-4/-6) and the TLS
// client (--ca-file, --cert-file/--key-file, and the flag that skips
// verification, spelled as each plugin's peers spell it). A plugin embeds
// the groups by value in its options, where its --help lists them; where a
// plugin words a flag's help its own way, cli.Parse applies its
// FlagHelp. The validation of each group is a method here, so that every
// plugin refuses the same mistakes in the same words.
//
// The groups and their checks of syntax touch nothing: a plugin's options
// are parsed here without a TLS stack, so that a caller that only
// validates command lines (frontline) links none. Reading the files the
// flags name is tlsclient's.
package netflags

import (
	"fmt"

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

// Conflict refuses anchors (path, given as name) beside the flag or key
// named skip: anchors beside it would verify nothing, which is refused
// rather than ignored. tlsclient.LoadTrust checks it before it reads the
// file; a run that checks its options but reads no file checks it alone.
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

// Check refuses one of the pair without the other.
func (c ClientCert) Check() error {
	if (c.CertFile == "") != (c.KeyFile == "") {
		return fmt.Errorf("--cert-file and --key-file go together: give both for a client certificate")
	}
	return nil
}

// TLSClient is the whole client side of TLS but the flag that skips
// verification, which a plugin embeds beside it: NoVerify or Insecure.
type TLSClient struct {
	Trust
	ClientCert
}

// Check refuses what tlsclient.Load would refuse before it reads a file:
// anchors beside the flag named skip ("" when verification is on), and
// half a client certificate.
func (c TLSClient) Check(skip string) error {
	if err := Conflict("--ca-file", c.CAFile, skip); err != nil {
		return err
	}
	return c.ClientCert.Check()
}

// NoVerify is --no-verify, as check-ssl-cert spells it.
type NoVerify struct {
	NoVerify bool `long:"no-verify" description:"skip chain and hostname verification"`
}

// Skip names the flag for TLSClient.Check and tlsclient.Load: "" when
// verification is on.
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

// Skip names the flag for TLSClient.Check and tlsclient.Load: "" when
// verification is on.
func (i Insecure) Skip() string {
	if i.Insecure {
		return "--insecure"
	}
	return ""
}
