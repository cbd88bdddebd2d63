// Package expiry judges certificates' validity against the warning and
// critical thresholds, the one judgement every plugin shares: the check of
// a TLS endpoint or file, the certificate of an HTTP endpoint, and the
// days-left graphs. It knows nothing of how the certificates were fetched.
package expiry

import (
	"sort"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/expiry/phrase"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
)

// Judge holds the thresholds and the time certificates are judged at.
type Judge struct {
	Warning, Critical threshold.Expiry
	Now               time.Time
}

// Verdict is one certificate judged.
type Verdict struct {
	Cert   certchain.Cert
	Status check.Status
	Text   string // "leaf CN=x (issuer y) expires in 21 days (...), warning below 30 days"
}

// Cert judges one certificate: not yet valid or expired is CRITICAL,
// otherwise the thresholds decide; a key or signature that clients refuse
// (certchain.Refused) is said first, and its status is the least the
// certificate gets, whatever its days.
func (j Judge) Cert(c certchain.Cert) Verdict {
	v := j.dates(c)
	if r := certchain.Refused(c.Certificate); r != nil {
		v.Status = check.Worst(v.Status, r.Status)
		desc := c.Describe()
		v.Text = desc + " " + r.Text + ";" + strings.TrimPrefix(v.Text, desc)
	}
	return v
}

func (j Judge) dates(c certchain.Cert) Verdict {
	status, text := phrase.Dates(c.Describe(), c.NotBefore, c.NotAfter, j.Now, j.Warning, j.Critical)
	return Verdict{Cert: c, Status: status, Text: text}
}

// Chain judges every certificate, worst first; among equals the one that
// expires first leads, so the first verdict names the certificate that
// decides.
func (j Judge) Chain(certs []certchain.Cert) []Verdict {
	vs := make([]Verdict, len(certs))
	for i, c := range certs {
		vs[i] = j.Cert(c)
	}
	sort.SliceStable(vs, func(a, b int) bool {
		if vs[a].Status != vs[b].Status {
			return check.Worse(vs[a].Status, vs[b].Status)
		}
		return vs[a].Cert.NotAfter.Before(vs[b].Cert.NotAfter)
	})
	return vs
}

// Days formats time left the way the messages show it (phrase.Days).
func Days(left threshold.Seconds) string { return phrase.Days(left) }

// Stamp is how messages show a certificate's dates (phrase.Stamp).
func Stamp(t time.Time) string { return phrase.Stamp(t) }

// DaysLeft is the validity left at now in days, negative once expired:
// counted in seconds, so a certificate valid to 9999 does not overflow.
func DaysLeft(notAfter, now time.Time) float64 {
	return float64(threshold.Between(now, notAfter) / threshold.Day)
}
