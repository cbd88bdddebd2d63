package tlsexpiry

import (
	"crypto/x509"
	"errors"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/certchain"
)

// verifier verifies what endpoints presented, with one pool of anchors for
// the whole run, built after every handshake so it holds only the anchors
// those chains can end at.
type verifier struct {
	trust     *certchain.Trust
	presented [][]*x509.Certificate
	now       time.Time
	noVerify  bool

	roots, fullRoots *x509.CertPool
	// done holds the verdict per distinct chain and name: the nodes behind
	// a name, or the names behind one wildcard certificate, present the
	// same chain, and verifying it is most of the work of judging one.
	done map[string]certchain.Served
}

func (v *verifier) verify(certs []*x509.Certificate, name string) certchain.Served {
	var key strings.Builder
	key.WriteString(name)
	for _, x := range certs {
		key.WriteByte(0)
		key.Write(x.Raw)
	}
	if served, ok := v.done[key.String()]; ok {
		return served
	}
	policy := certchain.Policy{Name: name, Now: v.now, NoVerify: v.noVerify}
	if !v.noVerify {
		if v.roots == nil {
			v.roots = v.trust.Pool(v.presented...)
		}
		policy.Roots = v.roots
	}
	served := certchain.Select(certs, policy)
	var unknown x509.UnknownAuthorityError
	if errors.As(served.VerifyErr, &unknown) {
		// The bundle lacks the anchor: look in the certificate
		// directories too before calling the chain untrusted.
		if v.fullRoots == nil {
			v.fullRoots = v.trust.FullPool(v.presented...)
		}
		policy.Roots = v.fullRoots
		served = certchain.Select(certs, policy)
	}
	v.done[key.String()] = served
	return served
}
