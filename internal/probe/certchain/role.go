// Package certchain decides which certificate's expiry matters: it reads
// certificate files, builds verified chains, and names certificates the
// way a responder needs them named (role, subject, issuer).
package certchain

import (
	"bytes"
	"crypto/x509"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
)

// Role is a certificate's place in a chain.
type Role string

// The roles a certificate can have.
const (
	Leaf         Role = "leaf"
	Intermediate Role = "intermediate"
	Root         Role = "root"
)

// Cert is a certificate with the role it plays where it was found.
type Cert struct {
	*x509.Certificate
	Role Role
	// NotSent marks a trust anchor the server did not send, found in
	// --ca-file or the system store: named so when it decides.
	NotSent bool
}

// RoleOf classifies a certificate found on its own (in a file, or sent by a
// server that could not be verified): a self-signed CA is a root, another
// CA an intermediate, anything else a leaf.
func RoleOf(c *x509.Certificate) Role {
	switch {
	case !c.IsCA:
		return Leaf
	case SelfSigned(c):
		return Root
	default:
		return Intermediate
	}
}

// SelfSigned reports whether c is its own issuer. The signature is not
// checked: old roots signed with SHA-1 are still roots.
func SelfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawSubject, c.RawIssuer) {
		return false
	}
	return len(c.AuthorityKeyId) == 0 || len(c.SubjectKeyId) == 0 || bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId)
}

// Name is how a message names the certificate: "CN=R11", or the whole
// subject when it has no common name.
func Name(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	if s := c.Subject.String(); s != "" {
		return s
	}
	return "serial " + c.SerialNumber.String()
}

// IssuerName is the issuer's common name, or its whole name without one.
func IssuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// Describe names a certificate with its role: "intermediate CN=R11 (issuer
// ISRG Root X1)", or "root CN=X (self-signed)". Names are shortened to
// MaxNameRunes, so that what follows them in a message (the days left,
// the threshold) stays on its first line.
func (c Cert) Describe() string {
	how := "self-signed"
	if !SelfSigned(c.Certificate) {
		how = "issuer " + textfmt.Shorten(IssuerName(c.Certificate), MaxNameRunes)
	}
	if c.NotSent {
		how += ", " + notSent
	}
	return fmt.Sprintf("%s %s (%s)", c.Role, textfmt.Shorten(Name(c.Certificate), MaxNameRunes), how)
}

const notSent = "a trust anchor the server does not send: from --ca-file or the system store"

// MaxNameRunes is how much of a certificate's name a message shows.
const MaxNameRunes = 64

// Lifetime is the certificate's whole validity period, in seconds: a
// time.Duration would end at 292 years.
func (c Cert) Lifetime() threshold.Seconds { return threshold.Between(c.NotBefore, c.NotAfter) }

// Earliest returns the certificate that expires first; ties go to the
// first one, so the choice is stable from run to run.
func Earliest(certs []Cert) Cert {
	var e Cert
	for _, c := range certs {
		if e.Certificate == nil || c.NotAfter.Before(e.NotAfter) {
			e = c
		}
	}
	return e
}
