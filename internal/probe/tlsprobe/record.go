package tlsprobe

import (
	"crypto/tls"
	"net"
)

// recorder keeps what the server sends, up to a bound, so that what
// crypto/tls will not give (the certificates of a Certificate message it
// could not parse, the signature scheme of the ServerKeyExchange) can be
// read from the bytes themselves. Only what is sent in the clear can be:
// TLS 1.2 and before up to ChangeCipherSpec; from TLS 1.3 only the
// ServerHello.
type recorder struct {
	net.Conn
	buf  []byte
	next int  // where the next record starts in buf
	done bool // past the cleartext handshake records, or maxRecorded
}

// maxRecorded is more than a Certificate message crypto/tls accepts
// (256 KiB), with its records' headers.
const maxRecorded = 320 << 10

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if !r.done {
		r.buf = append(r.buf, p[:n]...)
		r.scan()
	}
	return n, err
}

// scan ends the recording at the first record that is not a handshake
// record: what follows is encrypted, and keeping it would only cost
// memory (a long chain over TLS 1.3 is all encrypted).
func (r *recorder) scan() {
	for len(r.buf)-r.next >= 5 {
		if r.buf[r.next] != recordHandshake {
			r.buf, r.done = r.buf[:r.next], true
			return
		}
		r.next += 5 + (int(r.buf[r.next+3])<<8 | int(r.buf[r.next+4]))
	}
	if len(r.buf) > maxRecorded {
		r.done = true
	}
}

// clearHandshake is what the server's handshake said in the clear.
type clearHandshake struct {
	// Certificates are the DER certificates of its Certificate message,
	// leaf first, parsable or not; nil when none was seen.
	Certificates [][]byte
	// Signature is how its TLS 1.2 ServerKeyExchange was signed; zero
	// when there was none (TLS 1.3, RSA key exchange) or it was cut.
	Signature tls.SignatureScheme
}

// TLS record and handshake message types (RFC 5246, 8446).
const (
	recordChangeCipherSpec = 20
	recordHandshake        = 22
	msgServerHello         = 2
	msgCertificate         = 11
	msgServerKeyExchange   = 12
)

// readClearHandshake reads the server's records in b, as a recorder kept
// them, up to the first that is not a cleartext handshake record. Bytes cut
// short or malformed end the reading: what was read before is kept.
func readClearHandshake(b []byte) clearHandshake {
	var stream []byte
	for len(b) >= 5 {
		typ, n := b[0], int(b[3])<<8|int(b[4])
		if typ != recordHandshake || len(b) < 5+n {
			break
		}
		stream = append(stream, b[5:5+n]...)
		b = b[5+n:]
	}
	var h clearHandshake
	tls12 := false
	for len(stream) >= 4 {
		typ, n := stream[0], int(stream[1])<<16|int(stream[2])<<8|int(stream[3])
		if len(stream) < 4+n {
			break
		}
		body := stream[4 : 4+n]
		stream = stream[4+n:]
		switch typ {
		case msgServerHello:
			// legacy_version; TLS 1.3 sends no ServerKeyExchange, so
			// 0x0303 there means TLS 1.2 wherever it matters here.
			tls12 = len(body) >= 2 && body[0] == 3 && body[1] == 3
		case msgCertificate:
			h.Certificates = certificateList(body)
		case msgServerKeyExchange:
			if tls12 {
				h.Signature = ecdheSignature(body)
			}
		}
	}
	return h
}

// certificateList reads a TLS 1.2 Certificate message: a 24-bit length,
// then certificates, each with a 24-bit length.
func certificateList(body []byte) [][]byte {
	if len(body) < 3 {
		return nil
	}
	list := body[3:]
	if n := int(body[0])<<16 | int(body[1])<<8 | int(body[2]); n < len(list) {
		list = list[:n]
	}
	var certs [][]byte
	for len(list) >= 3 {
		n := int(list[0])<<16 | int(list[1])<<8 | int(list[2])
		if len(list) < 3+n {
			break
		}
		certs = append(certs, list[3:3+n])
		list = list[3+n:]
	}
	return certs
}

// ecdheSignature reads the signature scheme of a TLS 1.2 ECDHE
// ServerKeyExchange: curve type 3 (named curve), the curve, the public
// point, then the scheme. The only key exchanges crypto/tls offers that
// send one are ECDHE.
func ecdheSignature(body []byte) tls.SignatureScheme {
	if len(body) < 4 || body[0] != 3 {
		return 0
	}
	at := 4 + int(body[3])
	if len(body) < at+2 {
		return 0
	}
	return tls.SignatureScheme(body[at])<<8 | tls.SignatureScheme(body[at+1])
}
