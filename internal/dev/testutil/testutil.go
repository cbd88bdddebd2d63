// Package testutil holds what the tests of every plugin share: fixtures
// that fail the test instead of returning errors, the built binaries, and a
// runner that asserts how a binary ended.
package testutil

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
)

// must is v, or the end of the test at err: how a fixture's error
// becomes a failed test.
func must[T any](t testing.TB, v T, err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// serving is must for what serves until the test ends, and is closed
// then.
func serving[T io.Closer](t testing.TB, s T, err error) T {
	t.Helper()
	s = must(t, s, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// listenLoopback is a listener on a free loopback port, closed when the
// test ends.
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	return serving(t, l, err)
}

// NewPKI makes a root and an intermediate.
func NewPKI(t testing.TB) *fixture.PKI {
	t.Helper()
	return NamedPKI(t, "Test")
}

// NamedPKI makes a root and an intermediate whose names start with name:
// for tests where only the right one of several PKIs can answer.
func NamedPKI(t testing.TB, name string) *fixture.PKI {
	t.Helper()
	p, err := fixture.NewPKI(name)
	return must(t, p, err)
}

// Leaf issues a loopback server certificate expiring days from now.
func Leaf(t testing.TB, p *fixture.PKI, days float64, names ...string) *fixture.Cert {
	t.Helper()
	c, err := p.Leaf(days, names...)
	return must(t, c, err)
}

// NewCert makes a certificate.
func NewCert(t testing.TB, o fixture.CertOptions) *fixture.Cert {
	t.Helper()
	c, err := fixture.NewCert(o)
	return must(t, c, err)
}

// ServeTLS starts a TLS listener that stops with the test.
func ServeTLS(t testing.TB, o fixture.TLSOptions) *fixture.Server {
	t.Helper()
	s, err := fixture.ServeTLS(o)
	return serving(t, s, err)
}

// ServeChain serves the chain on 127.0.0.1 and returns the address.
func ServeChain(t testing.TB, chain ...*fixture.Cert) string {
	t.Helper()
	return ServeTLS(t, fixture.TLSOptions{Chain: chain}).Addr
}

// ServeStall starts a listener that accepts and never answers.
func ServeStall(t testing.TB) string {
	t.Helper()
	return ServeStallServer(t).Addr
}

// ServeStallServer is ServeStall's server, for a test that asks how many
// connections reached it.
func ServeStallServer(t testing.TB) *fixture.Server {
	t.Helper()
	s, err := fixture.ServeStall("")
	return serving(t, s, err)
}

// ClosedAddr is a loopback address where nothing listens.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	a, err := fixture.ClosedAddr()
	return must(t, a, err)
}

// WriteFile writes data to name in a directory removed after the test.
func WriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// SetModTime dates the file at path: a drill file left behind, or one
// from a clock set wrong.
func SetModTime(t testing.TB, path string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// RequireIPv6 skips a test on a machine without IPv6 loopback, where
// nothing can listen on ::1.
func RequireIPv6(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback on this machine: %v", err)
	}
	ln.Close()
}
