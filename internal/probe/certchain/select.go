package certchain

import (
	"crypto/x509"
	"errors"
	"time"
)

// Policy says how an endpoint's certificates are verified.
type Policy struct {
	// Roots are the anchors (Trust.Pool); nil means the system's.
	Roots *x509.CertPool
	// Name is what the leaf must be valid for (the SNI name, or the IP
	// connected to); empty skips the name check.
	Name string
	// Now is the time verification is done at.
	Now time.Time
	// NoVerify skips chain and name verification: the certificates as
	// presented decide.
	NoVerify bool
}

// Served is what decides an endpoint's expiry.
type Served struct {
	// Chain is the verified chain that stays valid the longest. Without
	// verification, or when it failed, it is the certificates as presented,
	// so that the days left are never lost.
	Chain []Cert
	// Unused are presented certificates that are not on Chain (an old
	// cross-signed root, say): they do not alert.
	Unused []Cert
	// VerifyErr says why verification failed; nil when it passed or was
	// skipped.
	VerifyErr error
}

// Select decides which of the presented certificates (leaf first, as the
// server sent them) matter. With verification on it builds every verified
// chain and keeps the one whose earliest expiry is the latest: a client
// that can use that chain is served until then, so an expiring certificate
// on another path (an unneeded cross-sign) must not alert.
func Select(presented []*x509.Certificate, p Policy) Served {
	if len(presented) == 0 {
		return Served{VerifyErr: errors.New("the server presented no certificate")}
	}
	asPresented := make([]Cert, len(presented))
	for i, c := range presented {
		role := RoleOf(c)
		if i == 0 {
			role = Leaf
		}
		asPresented[i] = Cert{Certificate: c, Role: role}
	}
	if p.NoVerify {
		return Served{Chain: asPresented}
	}

	intermediates := x509.NewCertPool()
	for _, c := range presented[1:] {
		intermediates.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: p.Roots, Intermediates: intermediates, CurrentTime: p.Now}
	chains, err := presented[0].Verify(opts)
	if err != nil {
		if a := expiredAnchor(presented, opts, err); a != nil {
			// Judged with the others: it is what ends the chain.
			asPresented = append(asPresented, Cert{Certificate: a, Role: Root, NotSent: true})
		}
		return Served{Chain: asPresented, VerifyErr: err}
	}

	best := chains[0]
	for _, chain := range chains[1:] {
		if earliest(chain).After(earliest(best)) {
			best = chain
		}
	}
	served := Served{Chain: make([]Cert, len(best))}
	for i, c := range best {
		role := Intermediate
		switch {
		case i == 0:
			role = Leaf
		case i == len(best)-1:
			role = Root
		}
		served.Chain[i] = Cert{Certificate: c, Role: role}
	}
	for i, c := range presented {
		if i > 0 && !contains(best, c) {
			served.Unused = append(served.Unused, asPresented[i])
		}
	}
	if p.Name != "" {
		served.VerifyErr = presented[0].VerifyHostname(p.Name)
	}
	return served
}

func earliest(chain []*x509.Certificate) time.Time {
	t := chain[0].NotAfter
	for _, c := range chain[1:] {
		if c.NotAfter.Before(t) {
			t = c.NotAfter
		}
	}
	return t
}

func contains(chain []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range chain {
		if x.Equal(c) {
			return true
		}
	}
	return false
}

// ExpiryFailure reports whether a verification error says only what the
// expiry judgement of judged already says (one of them expired or is not
// yet valid), so a message need not repeat it. An expired anchor the
// server did not send is not judged, and is a failure of its own.
func ExpiryFailure(err error, judged []Cert) bool {
	var inv x509.CertificateInvalidError
	if !errors.As(err, &inv) || inv.Reason != x509.Expired {
		return false
	}
	for _, c := range judged {
		if inv.Cert == nil || c.Equal(inv.Cert) {
			return true
		}
	}
	return false
}

// expiredAnchor finds the expired trust anchor, not among presented, that
// the chain ends at, when verification failed on an expiry. Go names the
// first expired certificate it meets: the anchor itself when the others
// are valid, else one of presented, and then the chain is built again at
// the last moment every presented certificate was valid, to see where it
// ends.
func expiredAnchor(presented []*x509.Certificate, opts x509.VerifyOptions, err error) *x509.Certificate {
	var inv x509.CertificateInvalidError
	if !errors.As(err, &inv) || inv.Reason != x509.Expired || inv.Cert == nil {
		return nil
	}
	if !contains(presented, inv.Cert) {
		return inv.Cert
	}
	now := opts.CurrentTime
	at := earliest(presented).Add(-time.Second)
	for _, c := range presented {
		if at.Before(c.NotBefore) {
			return nil // never all valid at once
		}
	}
	opts.CurrentTime = at
	chains, err := presented[0].Verify(opts)
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired && inv.Cert != nil && !contains(presented, inv.Cert):
		return inv.Cert
	case err != nil:
		return nil
	}
	var anchor *x509.Certificate
	for _, chain := range chains {
		root := chain[len(chain)-1]
		switch {
		case contains(presented, root):
		case root.NotAfter.After(now):
			return nil // one chain's anchor is still valid
		case anchor == nil:
			anchor = root
		}
	}
	return anchor
}
