// frontline reads the monitoring catalog kept in the ops repository,
// checks it, and writes from it what hosts and Mackerel need: agent
// configuration, external monitors, the monitoring document, incident
// records and drill files.
package main

import (
	"os"

	"github.com/frontline-sre/mackerel-frontline/internal/plugin/catalog"
)

func main() {
	os.Exit(catalog.Main(os.Args[1:], os.Stdout, os.Stderr))
}
