package testutil

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"
)

// BlackHole is a loopback address whose SYNs go unanswered, as behind a
// firewall that drops them: a listener with a backlog of one that never
// accepts, its queue filled first, so that a further connect hangs until
// the caller gives up. Linux only (the backlog semantics are its).
func BlackHole(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	// Fill the queue: once a connect takes longer than this, the hole is
	// closed for whoever comes next.
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("the listen queue never filled: no black hole on this host")
	return ""
}
