package httpcheck

import (
	"net/url"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/expiry"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
)

// certThresholds are cert_warning and cert_critical: at the top level they
// judge the certificate of every step that came over TLS, in a step that
// step's (which must then come over TLS), replacing the top level's.
type certThresholds struct {
	warning, critical *threshold.Expiry
	line              int
}

func (c certThresholds) set() bool { return c.warning != nil || c.critical != nil }

// setKey reads cert_warning or cert_critical: days (21), a duration (36h)
// or a percentage of the lifetime ("20%"), as the flags of one request.
func (c *certThresholds) setKey(key string, k, v *node) error {
	switch v.value.(type) {
	case string, int64, uint64, float64:
	default:
		return errAt(k.line, "%s wants days (21), a duration (36h) or a percentage (\"20%%\"), got %s", key, v.describe())
	}
	e, err := threshold.ParseExpiry(v.text)
	if err != nil {
		return errAt(k.line, "%s: %v", key, err)
	}
	if key == "cert_warning" {
		c.warning = &e
	} else {
		c.critical = &e
	}
	if c.line == 0 {
		c.line = k.line
	}
	return nil
}

func (c certThresholds) checkOrder(where string) error {
	if c.warning != nil && c.critical != nil && threshold.CheckOrder(*c.warning, *c.critical) != nil {
		return errAt(c.line, "%s: cert_critical %s leaves more time than cert_warning %s: critical must be the shorter time left", where, *c.critical, *c.warning)
	}
	return nil
}

// stepCert settles the step's thresholds: its own over the scenario's.
func (l *loader) stepCert(st *step, where string) error {
	own := st.cert.set()
	if own {
		if u, err := url.Parse(st.url); err == nil && strings.EqualFold(u.Scheme, "http") {
			return errAt(st.cert.line, "%s: cert_warning and cert_critical judge a certificate, and %s is plain http://", where, st.url)
		}
	}
	top := l.s.cert
	if st.cert.warning == nil {
		st.cert.warning = top.warning
	}
	if st.cert.critical == nil {
		st.cert.critical = top.critical
	}
	st.certOwn = own
	return st.cert.checkOrder(where)
}

// String is the thresholds as written, "" for none.
func (c certThresholds) String() string {
	var s string
	if c.warning != nil {
		s += "w" + c.warning.String()
	}
	if c.critical != nil {
		s += "c" + c.critical.String()
	}
	return s
}

func (c certThresholds) judge() expiry.Judge {
	j := expiry.Judge{Now: time.Now()}
	if c.warning != nil {
		j.Warning = *c.warning
	}
	if c.critical != nil {
		j.Critical = *c.critical
	}
	return j
}

// judgeCert judges the chain a step's response came over, unless an
// earlier step's came over the same leaf with the same thresholds. A step that asks for it in its
// own keys must have come over TLS; the top level's thresholds pass over
// the steps that did not.
func (st *step) judgeCert(chain []certchain.Cert, judged map[string]bool) []check.Finding {
	if !st.cert.set() || len(chain) == 0 && !st.certOwn {
		return nil
	}
	if len(chain) > 0 {
		key := string(chain[0].Raw) + st.cert.String()
		if judged[key] {
			return nil
		}
		judged[key] = true
	}
	return st.cert.judge().Breaches(chain)
}
