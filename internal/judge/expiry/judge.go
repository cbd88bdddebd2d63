// Package expiry judges certificates' validity against the warning and
// critical thresholds, the one judgement every plugin shares: the check of
// a TLS endpoint or file, the certificate of an HTTP endpoint, and the
// days-left graphs. It knows nothing of how the certificates were fetched.
package expiry

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
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
	left := threshold.Between(j.Now, c.NotAfter)
	v := Verdict{Cert: c, Status: check.OK}
	desc := c.Describe()
	switch {
	case j.Now.Before(c.NotBefore):
		v.Status = check.CRITICAL
		v.Text = fmt.Sprintf("%s is not valid until %s (in %s)", desc, Stamp(c.NotBefore), Days(threshold.Between(j.Now, c.NotBefore)))
		return v
	case left <= 0:
		v.Status = check.CRITICAL
		v.Text = fmt.Sprintf("%s expired %s ago (%s)", desc, Days(-left), Stamp(c.NotAfter))
		return v
	}
	v.Text = fmt.Sprintf("%s expires in %s (%s)", desc, Days(left), Stamp(c.NotAfter))
	var breached threshold.Expiry
	switch {
	case j.Critical.Breached(left, c.Lifetime()):
		v.Status, breached = check.CRITICAL, j.Critical
	case j.Warning.Breached(left, c.Lifetime()):
		v.Status, breached = check.WARNING, j.Warning
	default:
		return v
	}
	if breached.IsPercent() {
		v.Text += fmt.Sprintf(", %s of its lifetime left", percentLeft(left, c.Lifetime()))
	}
	v.Text += fmt.Sprintf(", %s below %s", lower(v.Status), breached)
	return v
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

// Days formats time left the way the messages show it: whole days from two
// days up, one decimal below, always rounded down so that a message never
// promises more time than there is.
func Days(left threshold.Seconds) string {
	// Counted in whole tenths of a day, from seconds: in days, exactly
	// 1.6 days comes out as 1.5999… and would be shown as 1.5, while
	// 138240 seconds divide into 16 tenths exactly.
	tenths := int64(math.Floor(float64(left / (threshold.Day / 10))))
	switch {
	case tenths >= 20:
		return fmt.Sprintf("%d days", tenths/10)
	case tenths < 1:
		return "less than 0.1 days"
	}
	return fmt.Sprintf("%d.%d days", tenths/10, tenths%10)
}

func percentLeft(left, lifetime threshold.Seconds) string {
	if lifetime <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%d%%", int(math.Floor(float64(left)/float64(lifetime)*100)))
}

// Stamp is how messages show a certificate's dates: UTC, RFC 3339.
func Stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func lower(s check.Status) string {
	if s == check.CRITICAL {
		return "critical"
	}
	return "warning"
}

// DaysLeft is the validity left at now in days, negative once expired:
// counted in seconds, so a certificate valid to 9999 does not overflow.
func DaysLeft(notAfter, now time.Time) float64 {
	return float64(threshold.Between(now, notAfter) / threshold.Day)
}
