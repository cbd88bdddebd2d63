package tlsprobe

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// MySQL capability flags used in the SSLRequest.
const (
	mysqlClientProtocol41     = 0x00000200
	mysqlClientSSL            = 0x00000800
	mysqlClientSecureConn     = 0x00008000
	mysqlClientPluginAuth     = 0x00080000
	mysqlMaxPacket            = 1 << 24
	mysqlCharsetUTF8MB4       = 45
	mysqlErrPacket            = 0xff
	mysqlHandshakeV10         = 0x0a
	mysqlMaxHandshakeLen      = 1 << 16
	mysqlSSLRequestPayloadLen = 32
)

// mysqlSSLRequest reads the server's initial handshake, checks that it can
// do TLS, and answers with an SSLRequest packet, after which the server
// expects a ClientHello.
func mysqlSSLRequest(conn net.Conn, _ string) error {
	var hdr [4]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return fmt.Errorf("reading handshake: %w", err)
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if n == 0 || n > mysqlMaxHandshakeLen {
		return fmt.Errorf("handshake packet of %d bytes", n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(conn, payload); err != nil {
		return fmt.Errorf("reading handshake: %w", err)
	}
	if payload[0] == mysqlErrPacket {
		msg := payload[1:]
		if len(msg) > 2 {
			msg = msg[2:] // error code
		}
		return fmt.Errorf("server sent an error: %q", msg)
	}
	if payload[0] != mysqlHandshakeV10 {
		return fmt.Errorf("unsupported handshake protocol version %d", payload[0])
	}
	// protocol version, NUL-terminated server version, connection id (4),
	// auth data part 1 (8), filler (1), then the low capability flags (2).
	end := 1
	for end < len(payload) && payload[end] != 0 {
		end++
	}
	capsAt := end + 1 + 4 + 8 + 1
	if len(payload) < capsAt+2 {
		return fmt.Errorf("handshake packet too short")
	}
	if binary.LittleEndian.Uint16(payload[capsAt:])&mysqlClientSSL == 0 {
		return fmt.Errorf("server does not support SSL (have_ssl = DISABLED)")
	}

	req := make([]byte, 4+mysqlSSLRequestPayloadLen)
	req[0] = mysqlSSLRequestPayloadLen
	req[3] = hdr[3] + 1 // sequence id
	p := req[4:]
	binary.LittleEndian.PutUint32(p[0:], mysqlClientProtocol41|mysqlClientSSL|mysqlClientSecureConn|mysqlClientPluginAuth)
	binary.LittleEndian.PutUint32(p[4:], mysqlMaxPacket)
	p[8] = mysqlCharsetUTF8MB4
	_, err := conn.Write(req)
	return err
}
