package testutil

import (
	"net/http"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/fixture"
)

// ServeHTTP starts a plain loopback web server (also speaking h2c when h2c
// is true) that stops with the test, and returns its base URL.
func ServeHTTP(t testing.TB, h http.Handler, h2c bool) string {
	t.Helper()
	s := fixture.ServeHTTP(h, h2c)
	t.Cleanup(s.Close)
	return s.URL
}

// ServeHTTPS starts a loopback web server presenting chain (leaf first),
// offering HTTP/2 unless http1Only, and returns its base URL.
func ServeHTTPS(t testing.TB, h http.Handler, chain []*fixture.Cert, http1Only bool) string {
	t.Helper()
	s := fixture.ServeHTTPS(h, chain, http1Only)
	t.Cleanup(s.Close)
	return s.URL
}
