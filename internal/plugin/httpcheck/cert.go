package httpcheck

import (
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/expiry"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/scenariofile"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
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

// judgeCert judges the chains a step's response came over: the final
// endpoint's and those of the redirects before it, each unless an
// earlier step's came over the same leaf with the same thresholds and
// settled it. A step that asks for it in its own keys must have come
// over TLS; the top level's thresholds pass over the steps that did not.
// A severity: warning step settles nothing: its finding is only a
// warning, and the required steps after it over the same certificate
// judge it again at their own severity.
func (st *step) judgeCert(resp *httpprobe.Response, judged map[string]bool) []check.Finding {
	if !st.Cert.Set() {
		return nil
	}
	if len(resp.Chain) == 0 && len(resp.RedirectChains) == 0 {
		if !st.CertOwn {
			return nil
		}
		return certJudge(st.Cert).Breaches(nil)
	}
	var out []check.Finding
	judge := func(chain []certchain.Cert, label string) {
		key := string(chain[0].Raw) + st.Cert.String()
		if judged[key] {
			return
		}
		if !st.Warning {
			judged[key] = true
		}
		for _, f := range certJudge(st.Cert).Breaches(chain) {
			f.Text = label + strings.TrimPrefix(f.Text, "certificate")
			out = append(out, f)
		}
	}
	for _, rc := range resp.RedirectChains {
		if len(rc.Chain) > 0 {
			judge(rc.Chain, "certificate of the redirect from "+secret.RedactURL(rc.From.String()))
		}
	}
	if len(resp.Chain) > 0 {
		judge(resp.Chain, "certificate")
	}
	return out
}
