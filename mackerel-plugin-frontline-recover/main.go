// mackerel-plugin-frontline-recover is the agent action of a monitoring
// catalog item with recover:. Its name is what mkr plugin install
// installs (check-* and mackerel-plugin-* only), so it reaches every host
// the way the plugins do; it prints no metrics and is never a metric
// plugin's command.
package main

import (
	"os"

	"github.com/frontline-sre/mackerel-frontline/internal/plugin/autorecover"
)

func main() {
	os.Exit(autorecover.Main(os.Args[1:], autorecover.EnvFromOS(), os.Stdout, os.Stderr))
}
