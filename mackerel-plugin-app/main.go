// mackerel-plugin-app graphs the targets the checks alert on: days left on
// every certificate, the latency phases of every endpoint, the health of
// every process group, measured the way the checks measure them.
package main

import (
	"os"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/appmetrics"
	"github.com/frontline-sre/mackerel-frontline/internal/cli"
)

var plugin = cli.Plugin{
	Name:  "mackerel-plugin-app",
	Usage: "[OPTIONS]",
}

// keepHTTP2 drops http2client=0 from GODEBUG, as check-http-e2e does.
// mackerel-agent sets it in its own environment, for its own API client,
// and every plugin it starts inherits it: left there, an endpoint's
// http_time would be measured over another protocol under the agent than
// from a shell or by the check, and the probe would offer h2 that the
// Transport then cannot speak.
func keepHTTP2() {
	godebug, ok := os.LookupEnv("GODEBUG")
	if !ok {
		return
	}
	var keep []string
	for _, kv := range strings.Split(godebug, ",") {
		if strings.TrimSpace(kv) != "http2client=0" {
			keep = append(keep, kv)
		}
	}
	os.Setenv("GODEBUG", strings.Join(keep, ","))
}

func main() {
	keepHTTP2()
	os.Exit(cli.RunMetric(plugin, appmetrics.NewOptions(os.Stderr), os.Args[1:], os.Stdout, os.Stderr))
}
