package testutil

import (
	"net/http"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
)

// ServeHTTP starts a plain loopback web server (also speaking h2c when h2c
// is true) that stops with the test, and returns its base URL.
func ServeHTTP(t testing.TB, h http.Handler, h2c bool) string {
	t.Helper()
	return StartHTTP(t, h, fixture.HTTPOptions{H2C: h2c}).URL
}

// ServeHTTPS starts a loopback web server presenting chain (leaf first),
// offering HTTP/2 unless http1Only, and returns its base URL.
func ServeHTTPS(t testing.TB, h http.Handler, chain []*fixture.Cert, http1Only bool) string {
	t.Helper()
	return StartHTTP(t, h, fixture.HTTPOptions{Chain: chain, HTTP1Only: http1Only}).URL
}

// StartHTTP starts a web server that stops with the test.
func StartHTTP(t testing.TB, h http.Handler, o fixture.HTTPOptions) *fixture.HTTPServer {
	t.Helper()
	s, err := fixture.StartHTTP(h, o)
	return serving(t, s, err)
}
