//go:build unix

package e2e

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"testing"
)

// OnceOutput is what `mackerel-agent once` prints, reduced to the metric
// values it parsed from every generator and plugin.
type OnceOutput struct {
	Metrics struct {
		Values []struct {
			Values           map[string]float64 `json:"Values"`
			CustomIdentifier *string            `json:"CustomIdentifier"`
		} `json:"Values"`
	} `json:"metrics"`
}

// Once runs `mackerel-agent once -conf conf` with the test's environment
// plus env, which runs every metric plugin once and prints what the agent
// parsed, and returns the metric values of the agent's own host by name
// ("custom.app.tls_days.www").
func Once(t testing.TB, agent, conf string, env ...string) map[string]float64 {
	t.Helper()
	cmd := exec.Command(agent, "once", "-conf", conf)
	cmd.Env = append(withoutVars(os.Environ(), env), env...)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mackerel-agent once: %v\n%s", err, stderr.String())
	}
	// Shown when the test fails: the plugins' stderr, as the agent logged it.
	t.Logf("mackerel-agent once log:\n%s", stderr.String())
	var o OnceOutput
	if err := json.Unmarshal(out, &o); err != nil {
		t.Fatalf("mackerel-agent once printed no JSON: %v\n%s\n%s", err, out, stderr.String())
	}
	values := map[string]float64{}
	for _, v := range o.Metrics.Values {
		if v.CustomIdentifier == nil {
			maps.Copy(values, v.Values)
		}
	}
	return values
}
