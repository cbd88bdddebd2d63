// check-http-e2e checks a web service the way its users meet it: one
// request with real assertions, or a whole journey (log in, call the API,
// log out), from inside the network.
package main

import (
	"os"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck"
)

func main() {
	os.Exit(cli.RunCheck(httpcheck.Command, httpcheck.NewOptions(), os.Args[1:], os.Stdout))
}
