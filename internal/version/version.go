// Package version carries the build's version, set by the Makefile with
// -ldflags "-X".
package version

import "fmt"

var (
	Version = "dev"
	Commit  = "none"
)

// String is what --version prints: "<name> <version> (<commit>)".
func String(name string) string {
	return fmt.Sprintf("%s %s (%s)", name, Version, Commit)
}
