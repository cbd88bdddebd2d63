package certchain

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// Explain says why verification failed, in words a responder can act on:
// what Go found, naming the certificate it found it in. The sentence about
// an unknown CA is kept for when that is what Go found: no candidate issuer
// at all.
func Explain(err error, presented []*x509.Certificate) string {
	var host x509.HostnameError
	var inv x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	var store *storeFailure
	switch {
	case errors.As(err, &host):
		return "hostname mismatch: " + goText(host)
	case errors.As(err, &inv) && inv.Cert != nil:
		name, where := describeFailed(inv.Cert, presented)
		switch inv.Reason {
		case x509.Expired:
			if strings.Contains(inv.Detail, " is before ") {
				return fmt.Sprintf("%s is not valid until %s%s", name, inv.Cert.NotBefore.UTC().Format(time.RFC3339), where)
			}
			return fmt.Sprintf("%s expired %s%s", name, inv.Cert.NotAfter.UTC().Format(time.RFC3339), where)
		case x509.NotAuthorizedToSign:
			return name + where + " may not issue certificates (it is not a CA)"
		case x509.IncompatibleUsage:
			return name + where + " is not valid for server authentication (its extended key usage)"
		}
		return goText(err)
	case errors.As(err, &unknown):
		hint, candidate, ok := goHint(unknown)
		if !ok {
			if errors.As(err, &store) {
				return "no chain to a trusted root, and " + store.store.Error()
			}
			return "no chain to a trusted root (an unknown CA, or the server does not send its intermediate; --ca-file adds a private CA)"
		}
		name := "a certificate"
		if unknown.Cert != nil {
			n, where := describeFailed(unknown.Cert, presented)
			name = n + where
		}
		issuer := candidateName(candidate, presented)
		switch {
		case strings.Contains(hint, "insecure algorithm") && unknown.Cert != nil:
			return fmt.Sprintf("%s is signed with %s, which Go no longer accepts: it needs reissuing with SHA-256 or better", name, unknown.Cert.SignatureAlgorithm)
		case strings.Contains(hint, "cannot sign this kind of certificate"):
			return fmt.Sprintf("%s is issued by %s, which may not issue certificates (no CA bit or no basic constraints, or no certificate-signing key usage)", name, issuer)
		case strings.Contains(hint, "verification failure"), strings.Contains(hint, "verification error"), strings.Contains(hint, "invalid signature"):
			return fmt.Sprintf("the signature on %s does not verify with the key of %s, a certificate with its issuer's name but another key (the server may send the wrong intermediate)", name, issuer)
		}
		return fmt.Sprintf("no chain to a trusted root: %s, tried as the issuer of %s: %s", issuer, name, strings.TrimPrefix(hint, "x509: "))
	}
	return goText(err)
}

// goHint reads what Go tried when it found no issuer: the error its one
// candidate gave and that candidate's name. They are kept unexported in
// x509.UnknownAuthorityError and only given in its text.
func goHint(e x509.UnknownAuthorityError) (hint, candidate string, ok bool) {
	_, rest, found := strings.Cut(e.Error(), " (possibly because of ")
	if !found {
		return "", "", false
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return "", "", false
	}
	hint, _ = strconv.Unquote(q)
	rest, found = strings.CutPrefix(rest[len(q):], " while trying to verify candidate authority certificate ")
	if !found {
		return hint, "", true
	}
	if q, err = strconv.QuotedPrefix(rest); err == nil {
		candidate, _ = strconv.Unquote(q)
	}
	return hint, candidate, true
}

// describeFailed names a certificate verification failed on, and says
// where it came from when the server did not send it.
func describeFailed(c *x509.Certificate, presented []*x509.Certificate) (name, where string) {
	for i, p := range presented {
		if p.Equal(c) {
			role := RoleOf(c)
			if i == 0 {
				role = Leaf
			}
			return string(role) + " " + textfmt.Shorten(Name(c), MaxNameRunes), ""
		}
	}
	return string(RoleOf(c)) + " " + textfmt.Shorten(Name(c), MaxNameRunes), " (" + notSent + ")"
}

// candidateName names the candidate issuer Go tried, by the CN (or
// organisation) it gives.
func candidateName(name string, presented []*x509.Certificate) string {
	for _, p := range presented {
		if p.Subject.CommonName == name {
			return textfmt.Shorten(Name(p), MaxNameRunes)
		}
	}
	if name == "" {
		return "a certificate of that name"
	}
	return "CN=" + textfmt.Shorten(name, MaxNameRunes)
}

func goText(err error) string {
	return strings.TrimPrefix(err.Error(), "x509: ")
}
