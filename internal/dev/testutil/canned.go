package testutil

import (
	"testing"
	"time"
)

// ServeCanned starts a loopback listener that answers every connection
// with reply once it has read what the client sent first, then closes it,
// whatever the client said: an HTTP/1.1 server (nginx) answering the
// HTTP/2 preface with a 400. It returns its address.
func ServeCanned(t testing.TB, reply string) string {
	t.Helper()
	ln := listenLoopback(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				buf := make([]byte, 4096)
				if _, err := c.Read(buf); err == nil {
					c.Write([]byte(reply))
				}
			}()
		}
	}()
	return ln.Addr().String()
}
