package main

import (
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestREADMEShowsHelp(t *testing.T) { testutil.ExpectREADMEShowsHelp(t, "check-http-e2e") }
