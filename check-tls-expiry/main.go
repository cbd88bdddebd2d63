// check-tls-expiry warns before a certificate expires anywhere a user meets
// it: every address behind a name, STARTTLS ports, and files on disk.
package main

import (
	"os"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry"
)

func main() {
	os.Exit(cli.RunCheck(tlsexpiry.Command, tlsexpiry.NewOptions(), os.Args[1:], os.Stdout))
}
