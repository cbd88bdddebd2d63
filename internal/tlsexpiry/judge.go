package tlsexpiry

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/check"
	"github.com/frontline-sre/mackerel-frontline/internal/threshold"
)

// judge holds the thresholds and the time certificates are judged at.
type judge struct {
	warning, critical threshold.Expiry
	now               time.Time
}

// verdict is one certificate judged.
type verdict struct {
	cert   certchain.Cert
	status check.Status
	text   string // "leaf CN=x (issuer y) expires in 21 days (...), warning below 30 days"
}

func (j judge) cert(c certchain.Cert) verdict {
	left := c.NotAfter.Sub(j.now)
	v := verdict{cert: c, status: check.OK}
	desc := c.Describe()
	switch {
	case j.now.Before(c.NotBefore):
		v.status = check.CRITICAL
		v.text = fmt.Sprintf("%s is not valid until %s (in %s)", desc, stamp(c.NotBefore), Days(c.NotBefore.Sub(j.now)))
		return v
	case left <= 0:
		v.status = check.CRITICAL
		v.text = fmt.Sprintf("%s expired %s ago (%s)", desc, Days(-left), stamp(c.NotAfter))
		return v
	}
	v.text = fmt.Sprintf("%s expires in %s (%s)", desc, Days(left), stamp(c.NotAfter))
	var breached threshold.Expiry
	switch {
	case j.critical.Breached(left, c.Lifetime()):
		v.status, breached = check.CRITICAL, j.critical
	case j.warning.Breached(left, c.Lifetime()):
		v.status, breached = check.WARNING, j.warning
	default:
		return v
	}
	if breached.IsPercent() {
		v.text += fmt.Sprintf(", %s of its lifetime left", percentLeft(left, c.Lifetime()))
	}
	v.text += fmt.Sprintf(", %s below %s", lower(v.status), breached)
	return v
}

// chain judges every certificate, worst first; among equals the one that
// expires first leads, so the verdict names the certificate that decides.
func (j judge) chain(certs []certchain.Cert) []verdict {
	vs := make([]verdict, len(certs))
	for i, c := range certs {
		vs[i] = j.cert(c)
	}
	sort.SliceStable(vs, func(a, b int) bool {
		if vs[a].status != vs[b].status {
			return check.Worse(vs[a].status, vs[b].status)
		}
		return vs[a].cert.NotAfter.Before(vs[b].cert.NotAfter)
	})
	return vs
}

// Days formats time left the way the messages show it: whole days from two
// days up, one decimal below, always rounded down so that a message never
// promises more time than there is.
func Days(d time.Duration) string {
	// Counted in whole tenths of a day: in floating point, exactly 1.6
	// days comes out as 1.5999… and would be shown as 1.5.
	tenths := d / (24 * time.Hour / 10)
	switch {
	case tenths >= 20:
		return fmt.Sprintf("%d days", tenths/10)
	case tenths < 1:
		return "less than 0.1 days"
	}
	return fmt.Sprintf("%d.%d days", tenths/10, tenths%10)
}

func percentLeft(left, lifetime time.Duration) string {
	if lifetime <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%d%%", int(math.Floor(float64(left)/float64(lifetime)*100)))
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func lower(s check.Status) string {
	if s == check.CRITICAL {
		return "critical"
	}
	return "warning"
}
