// Package ber walks the few BER/DER structures the plugins read without a
// full parser: an LDAP StartTLS reply, and the subject of a certificate
// that may never need parsing at all.
package ber

import (
	"errors"
	"fmt"
	"io"
)

// maxLengthBytes bounds the long form of a length: four bytes describe
// anything a plugin will ever read.
const maxLengthBytes = 4

// Split takes one element with the given tag off the front of b and
// returns its contents and what follows it.
func Split(b []byte, tag byte) (contents, rest []byte, err error) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, fmt.Errorf("unexpected BER element, want tag 0x%02x", tag)
	}
	n, hdr, err := length(b)
	if err != nil {
		return nil, nil, err
	}
	if n > len(b)-hdr {
		return nil, nil, errors.New("truncated BER element")
	}
	return b[hdr : hdr+n], b[hdr+n:], nil
}

// Read reads one element with the given tag from r and returns its
// contents, refusing any longer than max bytes.
func Read(r io.Reader, tag byte, max int) ([]byte, error) {
	hdr := make([]byte, 2, 2+maxLengthBytes)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	if hdr[0] != tag {
		return nil, fmt.Errorf("unexpected BER tag 0x%02x, want 0x%02x", hdr[0], tag)
	}
	if k := int(hdr[1] & 0x7f); hdr[1]&0x80 != 0 && k <= maxLengthBytes {
		hdr = hdr[:2+k]
		if _, err := io.ReadFull(r, hdr[2:]); err != nil {
			return nil, err
		}
	}
	n, _, err := length(hdr)
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("BER element of %d bytes, more than %d", n, max)
	}
	buf := make([]byte, n)
	_, err = io.ReadFull(r, buf)
	return buf, err
}

// length decodes the definite length of the element at the front of b
// and returns it with the size of the tag and length bytes.
func length(b []byte) (n, hdr int, err error) {
	n = int(b[1])
	if n&0x80 == 0 {
		return n, 2, nil
	}
	k := n & 0x7f
	if k == 0 || k > maxLengthBytes || len(b) < 2+k {
		return 0, 0, errors.New("unsupported BER length")
	}
	n = 0
	for _, x := range b[2 : 2+k] {
		n = n<<8 | int(x)
	}
	if n < 0 {
		return 0, 0, errors.New("unsupported BER length")
	}
	return n, 2 + k, nil
}
