package testutil

import (
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
)

// ServeLoginApp serves app on loopback until the test ends and returns its
// URL.
func ServeLoginApp(t testing.TB, app *fixture.LoginApp) string {
	t.Helper()
	s, err := fixture.ServeLoginApp("", app)
	return serving(t, s, err).URL
}
