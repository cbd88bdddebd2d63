package tlsexpiry

import (
	"crypto/x509"
	"errors"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/certchain"
)

// verifier verifies what endpoints presented. Its trust anchors come in
// tiers, each wider and dearer than the one before, and a chain moves to
// the next tier only when the one before leaves it untrusted: the extra
// anchors alone (--ca-file, a private CA: no system file is read), then
// the system bundle, then the certificate directories. Each tier's pool is
// built once per run, after every handshake, from only the anchors that
// can end one of the presented chains.
type verifier struct {
	tiers []func() *x509.CertPool
	pools []*x509.CertPool
	now   time.Time
	// noVerify skips verification: the presented certificates decide.
	noVerify bool
	// done holds the verdict per distinct chain and name: the nodes behind
	// a name, or the names behind one wildcard certificate, present the
	// same chain, and verifying it is most of the work of judging one.
	done map[string]certchain.Served
}

func newVerifier(trust *certchain.Trust, presented [][]*x509.Certificate, now time.Time, noVerify bool) *verifier {
	v := &verifier{now: now, noVerify: noVerify, done: map[string]certchain.Served{}}
	if trust != nil && len(trust.Extra) > 0 {
		v.tiers = append(v.tiers, trust.ExtraPool)
	}
	v.tiers = append(v.tiers,
		func() *x509.CertPool { return trust.Pool(presented...) },
		func() *x509.CertPool { return trust.FullPool(presented...) })
	v.pools = make([]*x509.CertPool, len(v.tiers))
	return v
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
	var served certchain.Served
	if v.noVerify {
		served = certchain.Select(certs, policy)
	}
	for i := 0; !v.noVerify && i < len(v.tiers); i++ {
		if v.pools[i] == nil {
			v.pools[i] = v.tiers[i]()
		}
		policy.Roots = v.pools[i]
		if served = certchain.Select(certs, policy); !untrusted(served.VerifyErr) {
			break
		}
	}
	v.done[key.String()] = served
	return served
}

func untrusted(err error) bool {
	var unknown x509.UnknownAuthorityError
	return errors.As(err, &unknown)
}
