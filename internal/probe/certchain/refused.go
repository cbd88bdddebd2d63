package certchain

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
)

// Refusal is why clients refuse a certificate whatever its dates: a key
// too short, a signature made with a broken hash. check-tls-expiry reads
// such chains for their days (GODEBUG rsa1024min=0, tlssha1=1), so this
// is where the outage they are is said, once for every plugin.
type Refusal struct {
	// Status is CRITICAL when browsers, Go and OpenSSL all refuse,
	// WARNING when only some clients do.
	Status check.Status
	// Text follows the certificate's description: "has a 512-bit RSA
	// key, which browsers, Go and OpenSSL clients refuse: ...".
	Text string
}

const everyone = "which browsers, Go and OpenSSL clients refuse"

// Refused judges a certificate's key, and its signature unless it is
// self-signed (an anchor's own signature is never checked); nil when
// clients accept both.
func Refused(c *x509.Certificate) *Refusal {
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok {
		switch bits := k.N.BitLen(); {
		case bits < 1024:
			return &Refusal{check.CRITICAL, fmt.Sprintf("has a %d-bit RSA key, %s: reissue it with a 2048-bit key or better", bits, everyone)}
		case bits < 2048:
			// Browsers still take a private CA's 1024-bit key; OpenSSL
			// 3.2 and the distributions' policies (security level 2:
			// curl, Python, PHP on Debian, Ubuntu, RHEL) do not.
			return &Refusal{check.WARNING, fmt.Sprintf("has a %d-bit RSA key, which OpenSSL clients refuse at their default security level (curl, Python on current Debian, Ubuntu, RHEL): reissue it with a 2048-bit key or better", bits)}
		}
	}
	if !SelfSigned(c) && weakHash(c.SignatureAlgorithm) {
		return &Refusal{check.CRITICAL, fmt.Sprintf("is signed with %s, %s: reissue it signed with SHA-256 or better", c.SignatureAlgorithm, everyone)}
	}
	return nil
}

func weakHash(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

// RefusedHandshake judges how a server signed its TLS 1.2 handshake (the
// ServerKeyExchange): SHA-1 there is refused as it is in a certificate
// (RFC 9155; Go since 1.25, OpenSSL 3, Chrome). Nil when clients accept
// it, or when scheme is zero (not seen: TLS 1.3, or RSA key exchange).
func RefusedHandshake(scheme tls.SignatureScheme) *Refusal {
	// Named as x509 names the same signatures in a certificate.
	name := map[tls.SignatureScheme]string{tls.PKCS1WithSHA1: "SHA1-RSA", tls.ECDSAWithSHA1: "ECDSA-SHA1"}[scheme]
	if name == "" {
		return nil
	}
	return &Refusal{check.CRITICAL, fmt.Sprintf("signs the TLS 1.2 handshake with %s, %s: let the server sign with SHA-256 or better", name, everyone)}
}

// RefusalFailure reports whether a verification error says only what
// Refused says of one of judged (a signature Go no longer accepts), so a
// message need not repeat it.
func RefusalFailure(err error, judged []Cert) bool {
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) || unknown.Cert == nil {
		return false
	}
	if hint, _, ok := goHint(unknown); !ok || !strings.Contains(hint, "insecure algorithm") {
		return false
	}
	for _, c := range judged {
		if c.Equal(unknown.Cert) && Refused(c.Certificate) != nil {
			return true
		}
	}
	return false
}
