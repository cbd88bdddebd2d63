package expiry

import (
	"crypto/x509"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
)

// Breaches judges the chain an HTTP response came over, every certificate
// of it as check-tls-expiry does, so that an intermediate that expires
// before the leaf is named. Only breaches are returned (an OK message
// stays stable), worst first; no chain at all is UNKNOWN.
func (j Judge) Breaches(chain []certchain.Cert) []check.Finding {
	if len(chain) == 0 {
		return []check.Finding{{Status: check.UNKNOWN, Text: "no certificate to judge: the final response did not come over TLS"}}
	}
	var out []check.Finding
	for _, v := range j.Chain(chain) {
		if v.Status != check.OK {
			out = append(out, check.Finding{Status: v.Status, Text: "certificate: " + v.Text})
		}
	}
	return out
}

// Unverified judges the certificates a server presented when they did not
// verify, as an unverified connection would, so that the days left are not
// lost while the trust is fixed: the breaches, or, when there is none, the
// certificate that expires first, as text to add to the verification
// failure ("; not verified: ..."), which decides the status.
func (j Judge) Unverified(presented []*x509.Certificate) string {
	var texts []string
	vs := j.Chain(certchain.Select(presented, certchain.Policy{NoVerify: true}).Chain)
	for _, v := range vs {
		if v.Status != check.OK {
			texts = append(texts, v.Text)
		}
	}
	if len(texts) == 0 && len(vs) > 0 {
		texts = append(texts, vs[0].Text)
	}
	if len(texts) == 0 {
		return ""
	}
	return "; not verified: " + strings.Join(texts, "; ")
}
