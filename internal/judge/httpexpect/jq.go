package httpexpect

import (
	"context"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect/jqexpr"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// JQ is a compiled jq expression over a JSON body (jqexpr holds what
// needs no response).
type JQ = jqexpr.Query

// ParseJQ compiles a jq expression (gojq's dialect of jq 1.7).
func ParseJQ(expr string) (JQ, error) { return jqexpr.Parse(expr) }

// DecodeJSON reads a body for Eval and First.
func DecodeJSON(body []byte) (any, error) { return jqexpr.DecodeJSON(body) }

// DecodeJSONContext is DecodeJSON of a response's body, named in the
// run's inflight work: a body of millions of tiny values takes far more
// memory decoded than read, and a run ended at the memory cap says so.
func DecodeJSONContext(ctx context.Context, resp *httpprobe.Response) (any, error) {
	end := inflight.Begin(ctx, "decoding the JSON body of "+showURL(resp.URL), check.CRITICAL)
	defer end()
	return DecodeJSON(resp.Body)
}

// track names the expression j over resp's body in the run's inflight work
// until the returned func is called: an expression may loop, or build
// values without end, and a run ended at its deadline or memory cap
// names it.
func track(ctx context.Context, j JQ, resp *httpprobe.Response) func() {
	return inflight.Begin(ctx, fmt.Sprintf("jq '%s' over %s", j.String(), showURL(resp.URL)), check.CRITICAL)
}

// FirstOver is j.First over resp's decoded body doc, named as Eval's is.
func FirstOver(ctx context.Context, j JQ, resp *httpprobe.Response, doc any) (any, error) {
	defer track(ctx, j, resp)()
	return j.First(ctx, doc)
}
