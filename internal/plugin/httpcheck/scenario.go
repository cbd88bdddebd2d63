// Package httpcheck is check-http-e2e: one request with real assertions,
// or a scenario file: the steps a user takes through a web application
// (open the login form, sign in, call the API, sign out), one cookie jar
// across them, values carried from one response into the next request.
//
// Everything that can be wrong with the file (unknown keys, wrong types,
// bad expressions, variables used before a step extracts them) is found
// when it is loaded, before any request is sent, and named with its line:
// the scenariofile package reads it, linking no HTTP client, so that
// frontline finds the same problems in CI.
//
// It links the YAML parser and, through httpexpect, gojq: only
// check-http-e2e (and what validates its command lines) may import it.
package httpcheck

import (
	"context"

	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/httpexpect"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/scenariofile"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// scenario is a loaded, validated scenario file, ready to run.
type scenario struct {
	scenariofile.Scenario
	Steps []*step
	// one is the scenario of -u: one step, no cookie jar, reported in the
	// words of one request.
	one bool
}

// step is one request and what its response must be.
type step struct {
	scenariofile.Step
	Expect httpexpect.Expect
	// sent is the request of -u, which the flags settle before the run.
	sent *httpprobe.Request
}

// loadScenario reads and validates the scenario at path (scenariofile.Load:
// references resolved and registered with masker). Every error names the
// file and the line, and is a usage error.
func loadScenario(ctx context.Context, path string, masker *secret.Masker) (*scenario, error) {
	f, err := scenariofile.Load(ctx, path, masker)
	if err != nil {
		return nil, err
	}
	return fromFile(f), nil
}

// parseScenario is loadScenario of a file's content; its errors leave the
// path out.
func parseScenario(path string, data []byte, masker *secret.Masker) (*scenario, error) {
	f, err := scenariofile.Parse(path, data, masker)
	if err != nil {
		return nil, err
	}
	return fromFile(f), nil
}

// fromFile turns what the file says each response must be into the
// assertions httpexpect judges responses with.
func fromFile(f *scenariofile.Scenario) *scenario {
	s := &scenario{Scenario: *f}
	for _, fs := range f.Steps {
		e := fs.Expect
		s.Steps = append(s.Steps, &step{Step: *fs, Expect: httpexpect.Expect{
			Status:       e.Status,
			Patterns:     e.Patterns,
			Inverted:     e.Inverted,
			Contains:     e.Contains,
			NotContains:  e.NotContains,
			JQ:           e.JQ,
			Headers:      e.Headers,
			TimeCritical: e.MaxTime,
		}})
	}
	return s
}
