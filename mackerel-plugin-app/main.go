// mackerel-plugin-app graphs the targets the checks alert on: days left on
// every certificate, the latency phases of every endpoint, the health of
// every process group, measured the way the checks measure them.
package main

import (
	"os"
	"runtime/debug"
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

// memoryLimit is where the collector starts to run. A run lives for tens
// of milliseconds and allocates a few MiB even on a host with thousands of
// processes: collecting garbage as it goes (the default) costs a fifth of
// the run's CPU, so it is left until the heap nears this limit, which keeps
// the process well under the 20 MiB it may use.
const memoryLimit = 12 << 20

func main() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(memoryLimit)
	keepHTTP2()
	os.Exit(cli.RunMetric(plugin, appmetrics.NewOptions(os.Stderr), os.Args[1:], os.Stdout, os.Stderr))
}
