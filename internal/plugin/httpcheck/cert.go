package httpcheck

import (
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/expiry"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/scenariofile"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
)

// certJudge judges certificates by c.
func certJudge(c scenariofile.CertThresholds) expiry.Judge {
	j := expiry.Judge{Now: time.Now()}
	if c.Warning != nil {
		j.Warning = *c.Warning
	}
	if c.Critical != nil {
		j.Critical = *c.Critical
	}
	return j
}

// judgeCert judges the chain a step's response came over, unless an
// earlier step's came over the same leaf with the same thresholds and
// settled it. A step that asks for it in its own keys must have come over
// TLS; the top level's thresholds pass over the steps that did not. A
// severity: warning step settles nothing: its finding is only a warning,
// and the required steps after it over the same certificate judge it
// again at their own severity.
func (st *step) judgeCert(chain []certchain.Cert, judged map[string]bool) []check.Finding {
	if !st.Cert.Set() || len(chain) == 0 && !st.CertOwn {
		return nil
	}
	if len(chain) > 0 {
		key := string(chain[0].Raw) + st.Cert.String()
		if judged[key] {
			return nil
		}
		if !st.Warning {
			judged[key] = true
		}
	}
	return certJudge(st.Cert).Breaches(chain)
}
