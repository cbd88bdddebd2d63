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
	left := threshold.Between(j.now, c.NotAfter)
	v := verdict{cert: c, status: check.OK}
	desc := c.Describe()
	switch {
	case j.now.Before(c.NotBefore):
		v.status = check.CRITICAL
		v.text = fmt.Sprintf("%s is not valid until %s (in %s)", desc, stamp(c.NotBefore), Days(threshold.Between(j.now, c.NotBefore)))
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

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func lower(s check.Status) string {
	if s == check.CRITICAL {
		return "critical"
	}
	return "warning"
}
