package scenariofile

import (
	"net/url"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
)

// CertThresholds are cert_warning and cert_critical: at the top level they
// judge the certificate of every step that came over TLS, in a step that
// step's (which must then come over TLS), replacing the top level's.
type CertThresholds struct {
	Warning, Critical *threshold.Expiry
	at                pos
}

// Set says whether any threshold is.
func (c CertThresholds) Set() bool { return c.Warning != nil || c.Critical != nil }

// setKey reads cert_warning or cert_critical: days (21), a duration (36h)
// or a percentage of the lifetime ("20%"), as the flags of one request.
func (c *CertThresholds) setKey(key string, k, v *node) error {
	switch v.value.(type) {
	case string, int64, uint64, float64:
	default:
		return errAt(k.at(), "%s wants days (21), a duration (36h) or a percentage (\"20%%\"), got %s", key, v.describe())
	}
	e, err := threshold.ParseExpiry(v.text)
	if err != nil {
		return errAt(k.at(), "%s: %v", key, err)
	}
	if key == "cert_warning" {
		c.Warning = &e
	} else {
		c.Critical = &e
	}
	if c.at.line == 0 {
		c.at = k.at()
	}
	return nil
}

func (c CertThresholds) checkOrder(where string) error {
	if c.Warning != nil && c.Critical != nil && threshold.CheckOrder(*c.Warning, *c.Critical) != nil {
		return errAt(c.at, "%s: cert_critical %s leaves more time than cert_warning %s: critical must be the shorter time left", where, *c.Critical, *c.Warning)
	}
	return nil
}

// stepCert settles the step's thresholds: its own over the scenario's.
func (l *loader) stepCert(st *Step, where string) error {
	own := st.Cert.Set()
	if own {
		if u, err := url.Parse(st.URL); err == nil && strings.EqualFold(u.Scheme, "http") {
			return errAt(st.Cert.at, "%s: cert_warning and cert_critical judge a certificate, and %s is plain http://", where, st.URL)
		}
	}
	top := l.s.Cert
	if st.Cert.Warning == nil {
		st.Cert.Warning = top.Warning
	}
	if st.Cert.Critical == nil {
		st.Cert.Critical = top.Critical
	}
	st.CertOwn = own
	return st.Cert.checkOrder(where)
}

// String is the thresholds as written, "" for none.
func (c CertThresholds) String() string {
	var s string
	if c.Warning != nil {
		s += "w" + c.Warning.String()
	}
	if c.Critical != nil {
		s += "c" + c.Critical.String()
	}
	return s
}
