// check-process says whether the processes a service needs are alive and
// healthy: each group of processes counted and judged on its own, from
// one scan of /proc.
package main

import (
	"os"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/proccheck"
)

func main() {
	os.Exit(cli.RunCheck(proccheck.Command, proccheck.NewOptions(), os.Args[1:], os.Stdout))
}
