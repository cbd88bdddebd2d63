package tlsprobe

import (
	"bytes"
	"io"
	"net"
	"slices"
	"testing"
)

// replayConn is a server that sends the same bytes whatever it is told.
type replayConn struct {
	net.Conn // nil: only Read and Write are used before the handshake
	r        io.Reader
}

func (c *replayConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *replayConn) Write(p []byte) (int, error) { return len(p), nil }

// FuzzUpgraders feeds every STARTTLS reader the same server bytes: none may
// panic, loop, or accept what is not its protocol's go-ahead.
func FuzzUpgraders(f *testing.F) {
	for _, seed := range []string{
		"220 mail ESMTP\r\n250-mail\r\n250-PIPELINING\r\n250 STARTTLS\r\n220 go ahead\r\n",
		"220-first\r\n220-second\r\n220 ready\r\n250 mail\r\n",
		"220-FTP\r\n free text\r\n220 ready\r\n234 AUTH TLS ok\r\n",
		"* OK IMAP4rev1 ready\r\n* CAPABILITY IMAP4rev1\r\na1 OK begin TLS\r\n",
		"+OK POP3 ready\r\n+OK begin TLS\r\n",
		"S", "N", "E",
		"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00",
		"\x30\x10\x02\x01\x01\x78\x0b\x0a\x01\x34\x04\x00\x04\x04busy",
		"\x4a\x00\x00\x00\x0a8.0.36\x00\x08\x00\x00\x00abcdefgh\x00\xff\xff\x21\x02\x00",
		"\x17\x00\x00\x00\xff\x15\x04#HY000Too many connections",
		"\x00\x00\x00\x00",
		"220 " + string(bytes.Repeat([]byte("x"), 5000)) + "\r\n",
	} {
		f.Add([]byte(seed))
	}
	protocols := StartTLSProtocols()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, proto := range protocols {
			up, _ := lookupStartTLS(proto)
			err := up(&replayConn{r: bytes.NewReader(data)}, "localhost")
			if err == nil && !plausible(proto, data) {
				t.Fatalf("%s accepted %q as a go-ahead", proto, data)
			}
		}
	})
}

// plausible is the least a go-ahead of each protocol must contain.
func plausible(proto string, data []byte) bool {
	switch proto {
	case "smtp":
		return bytes.Contains(data, []byte("220")) && bytes.Contains(data, []byte("250"))
	case "ftp":
		return bytes.Contains(data, []byte("234"))
	case "imap":
		return bytes.Contains(data, []byte("a1 OK"))
	case "pop3":
		return bytes.Count(data, []byte("+OK")) >= 2
	case "postgres":
		return len(data) > 0 && data[0] == 'S'
	case "ldap":
		return len(data) > 0 && data[0] == 0x30
	case "mysql":
		return len(data) > 4 && data[4] == mysqlHandshakeV10
	}
	return !slices.Contains(StartTLSProtocols(), proto)
}

// FuzzClearHandshake reads a server's bytes as the record of a handshake:
// whatever they are, no panic, and no more certificate bytes than were
// sent.
func FuzzClearHandshake(f *testing.F) {
	hello := "\x02\x00\x00\x04\x03\x03\x00\x00"
	certs := "\x0b\x00\x00\x0b\x00\x00\x08\x00\x00\x05\x30\x03\x02\x01\x01"
	ske := "\x0c\x00\x00\x0a\x03\x00\x17\x01\x04\x02\x03\x00\x01\x00"
	body := hello + certs + ske
	f.Add([]byte("\x16\x03\x03\x00" + string(rune(len(body))) + body + "\x14\x03\x03\x00\x01\x01"))
	f.Add([]byte("\x16\x03\x03\x00\x05\x0b\x00\x00\x01"))
	f.Add([]byte("\x16\x03\x03\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		total := 0
		for _, der := range readClearHandshake(data).Certificates {
			total += len(der)
		}
		if total > len(data) {
			t.Fatalf("%d bytes of certificates from %d bytes", total, len(data))
		}
	})
}

// The bytes of a TLS 1.2 handshake give its certificates and how its
// ServerKeyExchange was signed.
func TestReadClearHandshake(t *testing.T) {
	hello := "\x02\x00\x00\x04\x03\x03\x00\x00"
	certs := "\x0b\x00\x00\x0d\x00\x00\x0a\x00\x00\x02\x30\x00\x00\x00\x02\x30\x01"
	ske := "\x0c\x00\x00\x0a\x03\x00\x17\x01\x04\x02\x03\x00\x01\x00"
	body := hello + certs + ske
	// Split over two records, as servers do with long chains.
	data := "\x16\x03\x03\x00\x0a" + body[:10] + "\x16\x03\x03\x00" + string(rune(len(body)-10)) + body[10:] + "\x14\x03\x03\x00\x01\x01\x16\x03\x03\x00\x04garbage"
	h := readClearHandshake([]byte(data))
	if len(h.Certificates) != 2 || string(h.Certificates[0]) != "\x30\x00" || string(h.Certificates[1]) != "\x30\x01" {
		t.Errorf("certificates %q", h.Certificates)
	}
	if h.Signature != 0x0203 {
		t.Errorf("signature %#x, want ECDSAWithSHA1", h.Signature)
	}
}
