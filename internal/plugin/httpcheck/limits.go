package httpcheck

import (
	"context"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// apply sets r's limits from the step, else the scenario.
func (st *step) apply(s *scenario, r *httpprobe.Request) {
	r.MaxBody = st.Limits.MaxBody
	if r.MaxBody == 0 {
		r.MaxBody = s.Limits.MaxBody
	}
	max := st.Limits.MaxRedirects
	if max == nil {
		max = s.Limits.MaxRedirects
	}
	if max != nil {
		r.MaxRedirects = *max
		r.NoFollow = r.NoFollow || *max == 0
	}
}

// send does the step's request within its own timeout, if it has one.
func (st *step) send(ctx context.Context, c client, req *httpprobe.Request) (*httpprobe.Response, error) {
	if st.Limits.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, st.Limits.Timeout)
		defer cancel()
	}
	return c.Do(ctx, req)
}
