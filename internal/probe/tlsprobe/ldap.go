package tlsprobe

import (
	"fmt"
	"net"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/ber"
)

// ldapStartTLSOID is the extended operation that starts TLS (RFC 4511).
const ldapStartTLSOID = "1.3.6.1.4.1.1466.20037"

// ldapStartTLS sends an ExtendedRequest for StartTLS and reads the
// ExtendedResponse's resultCode: 0 means the server now expects TLS.
func ldapStartTLS(conn net.Conn, _ string) error {
	oid := []byte(ldapStartTLSOID)
	name := append([]byte{0x80, byte(len(oid))}, oid...)  // [0] requestName
	op := append([]byte{0x77, byte(len(name))}, name...)  // [APPLICATION 23] ExtendedRequest
	body := append([]byte{0x02, 0x01, 0x01}, op...)       // messageID 1
	msg := append([]byte{0x30, byte(len(body))}, body...) // LDAPMessage SEQUENCE
	if _, err := conn.Write(msg); err != nil {
		return err
	}

	resp, err := ber.Read(conn, 0x30, 64<<10)
	if err != nil {
		return fmt.Errorf("reading ExtendedResponse: %w", err)
	}
	// messageID, then the protocolOp.
	_, rest, err := ber.Split(resp, 0x02)
	if err != nil {
		return err
	}
	op, _, err = ber.Split(rest, 0x78) // [APPLICATION 24] ExtendedResponse
	if err != nil {
		return fmt.Errorf("not an ExtendedResponse: %w", err)
	}
	code, rest, err := ber.Split(op, 0x0a) // resultCode ENUMERATED
	if err != nil || len(code) != 1 {
		return fmt.Errorf("malformed ExtendedResponse resultCode")
	}
	if code[0] != 0 {
		_, rest, _ = ber.Split(rest, 0x04) // matchedDN
		diag, _, _ := ber.Split(rest, 0x04)
		return fmt.Errorf("server refused StartTLS: resultCode %d %q", code[0], diag)
	}
	return nil
}
