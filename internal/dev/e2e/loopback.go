package e2e

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
)

// Listening is a fixture server: a fixture.Server or a
// fixture.HTTPServer.
type Listening interface {
	Close() error
	Port() int
}

// ServeLocalhost starts a fixture with start on 127.0.0.1 and, where the
// machine has IPv6 loopback, on [::1] at the same port, and returns
// "localhost:PORT". The plugins connect to the first address the resolver
// gives for localhost, which is ::1 or 127.0.0.1 depending on /etc/hosts:
// listening on both lets a target stay a host name, as in the README, on
// any machine. The fixtures stop with the test.
func ServeLocalhost[S Listening](t testing.TB, start func(addr string) (S, error)) string {
	t.Helper()
	for range 20 {
		v4, err := start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v4.Close() })
		port := strconv.Itoa(v4.Port())
		v6, err := start(net.JoinHostPort("::1", port))
		switch {
		case err == nil:
			t.Cleanup(func() { v6.Close() })
			return "localhost:" + port
		case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EAFNOSUPPORT):
			return "localhost:" + port
		case errors.Is(err, syscall.EADDRINUSE):
			v4.Close() // taken on ::1 by something else: try another port
		default:
			t.Fatal(err)
		}
	}
	t.Fatal("found no port free on both 127.0.0.1 and ::1")
	return ""
}
