// Package version carries the build's version, set by the Makefile with
// -ldflags "-X".
package version

import (
	"fmt"
	"strings"
)

var (
	Version = "dev"
	Commit  = "none"
)

// String is what --version prints: "<name> <version> (<commit>)". A build
// whose version is its commit (no tag to describe it, as `git describe
// --always` gives) names the commit once: "<name> <commit>[-dirty]".
func String(name string) string {
	return format(name, Version, Commit)
}

func format(name, version, commit string) string {
	if version == commit || strings.HasPrefix(version, commit+"-") {
		return name + " " + version
	}
	return fmt.Sprintf("%s %s (%s)", name, version, commit)
}
