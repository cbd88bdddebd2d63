// mackerel-plugin-app graphs the targets the checks alert on: days left on
// every certificate, the latency phases of every endpoint, the health of
// every process group, measured the way the checks measure them.
package main

import (
	"os"

	"github.com/frontline-sre/mackerel-frontline/internal/appmetrics"
	"github.com/frontline-sre/mackerel-frontline/internal/cli"
)

var plugin = cli.Plugin{
	Name:  "mackerel-plugin-app",
	Usage: "[OPTIONS]",
}

func main() {
	os.Exit(cli.RunMetric(plugin, appmetrics.NewOptions(os.Stderr), os.Args[1:], os.Stdout, os.Stderr))
}
