//go:build linux

package main

import (
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestREADMEShowsHelp(t *testing.T) {
	testutil.ExpectREADMEShowsHelp(t, "mackerel-plugin-frontline-recover")
}
