package tlsprobe

import (
	"errors"
	"fmt"
	"io"
	"net"
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

	resp, err := readBER(conn, 0x30)
	if err != nil {
		return fmt.Errorf("reading ExtendedResponse: %w", err)
	}
	// messageID, then the protocolOp.
	_, rest, err := splitBER(resp, 0x02)
	if err != nil {
		return err
	}
	op, _, err = splitBER(rest, 0x78) // [APPLICATION 24] ExtendedResponse
	if err != nil {
		return fmt.Errorf("not an ExtendedResponse: %w", err)
	}
	code, rest, err := splitBER(op, 0x0a) // resultCode ENUMERATED
	if err != nil || len(code) != 1 {
		return fmt.Errorf("malformed ExtendedResponse resultCode")
	}
	if code[0] != 0 {
		_, rest, _ = splitBER(rest, 0x04) // matchedDN
		diag, _, _ := splitBER(rest, 0x04)
		return fmt.Errorf("server refused StartTLS: resultCode %d %q", code[0], diag)
	}
	return nil
}

// readBER reads one BER element with the given tag from r and returns its
// contents. A StartTLS reply is tiny: lengths over 64 KiB are refused.
func readBER(r io.Reader, tag byte) ([]byte, error) {
	hdr := make([]byte, 2, 4)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	if hdr[0] != tag {
		return nil, fmt.Errorf("unexpected BER tag 0x%02x, want 0x%02x", hdr[0], tag)
	}
	if k := int(hdr[1] & 0x7f); hdr[1]&0x80 != 0 && k <= 2 {
		hdr = hdr[:2+k]
		if _, err := io.ReadFull(r, hdr[2:]); err != nil {
			return nil, err
		}
	}
	n, _, err := berLength(hdr)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	_, err = io.ReadFull(r, buf)
	return buf, err
}

// splitBER takes one element with the given tag off the front of b.
func splitBER(b []byte, tag byte) (contents, rest []byte, err error) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, fmt.Errorf("unexpected BER element, want tag 0x%02x", tag)
	}
	n, off, err := berLength(b)
	if err != nil {
		return nil, nil, err
	}
	if len(b) < off+n {
		return nil, nil, errors.New("truncated BER element")
	}
	return b[off : off+n], b[off+n:], nil
}

// berLength decodes the definite length of the element at the front of b
// and returns it with the size of the tag and length bytes.
func berLength(b []byte) (n, hdr int, err error) {
	n = int(b[1])
	if n&0x80 == 0 {
		return n, 2, nil
	}
	k := n & 0x7f
	if k == 0 || k > 2 || len(b) < 2+k {
		return 0, 0, errors.New("unsupported BER length")
	}
	n = 0
	for _, x := range b[2 : 2+k] {
		n = n<<8 | int(x)
	}
	return n, 2 + k, nil
}
