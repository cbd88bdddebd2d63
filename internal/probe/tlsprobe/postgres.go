package tlsprobe

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// postgresSSLRequest sends PostgreSQL's SSLRequest: length 8, then the
// magic code 80877103. The server answers one byte: S to start TLS, N for
// no TLS.
func postgresSSLRequest(conn net.Conn, _ string) error {
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:4], 8)
	binary.BigEndian.PutUint32(req[4:8], 80877103)
	if _, err := conn.Write(req[:]); err != nil {
		return err
	}
	var answer [1]byte
	if _, err := io.ReadFull(conn, answer[:]); err != nil {
		return fmt.Errorf("reading SSLRequest answer: %w", err)
	}
	switch answer[0] {
	case 'S':
		return nil
	case 'N':
		return fmt.Errorf("server refused SSL (ssl = off)")
	default:
		return fmt.Errorf("unexpected SSLRequest answer %q, want 'S'", answer[0])
	}
}
