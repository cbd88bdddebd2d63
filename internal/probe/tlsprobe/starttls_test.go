package tlsprobe

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// pipe runs serve on the far end of an in-memory connection and returns
// the near end. Both ends give up after ten seconds, so that a parser that
// waits for more than the peer sends fails instead of hanging.
func pipe(t *testing.T, serve func(conn net.Conn)) net.Conn {
	t.Helper()
	client, server := net.Pipe()
	deadline := time.Now().Add(10 * time.Second)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer server.Close()
		serve(server)
	}()
	t.Cleanup(func() {
		client.Close()
		<-done
	})
	return client
}

// script plays a plain-text server. A step starting with "> " is a line
// the client must send (a trailing "*" matches any rest of it); any other
// step is sent as it is. The connection closes after the last step.
func script(t *testing.T, steps ...string) net.Conn {
	t.Helper()
	return pipe(t, func(conn net.Conn) {
		r := bufio.NewReader(conn)
		for _, step := range steps {
			want, hear := strings.CutPrefix(step, "> ")
			if !hear {
				if _, err := io.WriteString(conn, step); err != nil {
					return // the client gave up: what it said is the test's
				}
				continue
			}
			line, err := r.ReadString('\n')
			line = strings.TrimRight(line, "\r\n")
			prefix, wild := strings.CutSuffix(want, "*")
			if err != nil || !wild && line != want || wild && !strings.HasPrefix(line, prefix) {
				t.Errorf("server expected %q from the client, got %q, %v", want, line, err)
				return
			}
		}
	})
}

func lines(prefix string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(prefix + "\r\n")
	}
	return b.String()
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("error %q, want none", err)
	case want != "" && err == nil:
		t.Errorf("no error, want %q", want)
	case want != "" && err.Error() != want:
		t.Errorf("error:\n got %q\nwant %q", err, want)
	}
}

var long = strings.Repeat("2", 5000) // no newline within maxLine

func TestSMTP(t *testing.T) {
	ehlo := "250-mail.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n"
	for _, tc := range []struct {
		name  string
		steps []string
		want  string
	}{
		{"ok", []string{"220 mail.test ESMTP\r\n", "> EHLO *", ehlo, "> STARTTLS", "220 2.0.0 Ready\r\n"}, ""},
		{"multi-line greeting", []string{"220-mail.test\r\n220-no spam\r\n220 ready\r\n", "> EHLO *", ehlo, "> STARTTLS", "220 go\r\n"}, ""},
		{"bare LF line ends", []string{"220 mail.test\n", "> EHLO *", "250-mail.test\n250 STARTTLS\n", "> STARTTLS", "220 go\n"}, ""},
		{"extension in lower case", []string{"220 mail.test\r\n", "> EHLO *", "250-mail.test\r\n250 starttls\r\n", "> STARTTLS", "220 go\r\n"}, ""},
		{"bare code as the last line", []string{"220 mail.test\r\n", "> EHLO *", "250-mail.test\r\n250-STARTTLS\r\n250\r\n", "> STARTTLS", "220\r\n"}, ""},
		{"greeting refused", []string{"554 no service here\r\n"}, `greeting: server replied "554 no service here", want 220`},
		{"multi-line reply ends with another code", []string{"220-mail.test\r\n421 closing\r\n"}, `greeting: server replied "421 closing", want 220`},
		{"not offered", []string{"220 mail.test\r\n", "> EHLO *", "250-mail.test\r\n250 PIPELINING\r\n"}, "server does not offer STARTTLS in its EHLO reply"},
		{"only the domain line", []string{"220 mail.test\r\n", "> EHLO *", "250 STARTTLS\r\n"}, "server does not offer STARTTLS in its EHLO reply"},
		{"a longer word is not STARTTLS", []string{"220 mail.test\r\n", "> EHLO *", "250-mail.test\r\n250 STARTTLSX\r\n"}, "server does not offer STARTTLS in its EHLO reply"},
		{"EHLO refused", []string{"220 mail.test\r\n", "> EHLO *", "502 command not implemented\r\n"}, `EHLO: server replied "502 command not implemented", want 250`},
		{"STARTTLS refused", []string{"220 mail.test\r\n", "> EHLO *", ehlo, "> STARTTLS", "454 4.7.0 TLS not available\r\n"}, `STARTTLS: server replied "454 4.7.0 TLS not available", want 220`},
		{"line without newline", []string{long}, "reading greeting: line longer than 4096 bytes"},
		{"long line in EHLO reply", []string{"220 mail.test\r\n", "> EHLO *", "250-mail.test\r\n250-" + long}, "reading EHLO: line longer than 4096 bytes"},
		{"endless reply", []string{lines("220-spam", 2000)}, "reading greeting: reply of more than 1000 lines"},
		{"closed in a multi-line reply", []string{"220-mail.test\r\n"}, "reading greeting: unexpected EOF"},
		{"closed in a line", []string{"22"}, "reading greeting: unexpected EOF"},
		{"closed at once", nil, "reading greeting: unexpected EOF"},
		{"closed after EHLO", []string{"220 mail.test\r\n", "> EHLO *", ehlo, "> STARTTLS"}, "reading STARTTLS: unexpected EOF"},
		{"not a reply", []string{"hello there\r\n"}, `reading greeting: unexpected reply "hello there"`},
		{"too short", []string{"22\r\n"}, `reading greeting: unexpected reply "22"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, smtpStartTLS(script(t, tc.steps...), "mail.test"), tc.want)
		})
	}
}

func TestIMAP(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string
		want  string
	}{
		{"ok", []string{"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", "> a1 STARTTLS", "a1 OK Begin TLS\r\n"}, ""},
		{"untagged data first", []string{"* OK ready\r\n", "> a1 STARTTLS", "* CAPABILITY IMAP4rev1\r\n* OK still here\r\na1 OK go\r\n"}, ""},
		{"greeting BYE", []string{"* BYE too many connections\r\n"}, `greeting: server sent "* BYE too many connections", want * OK`},
		{"preauthenticated", []string{"* PREAUTH welcome\r\n"}, `greeting: server sent "* PREAUTH welcome", want * OK`},
		{"refused", []string{"* OK ready\r\n", "> a1 STARTTLS", "a1 NO STARTTLS unavailable\r\n"}, `STARTTLS: server replied "a1 NO STARTTLS unavailable", want a1 OK`},
		{"bad command", []string{"* OK ready\r\n", "> a1 STARTTLS", "a1 BAD unknown command\r\n"}, `STARTTLS: server replied "a1 BAD unknown command", want a1 OK`},
		{"other tag", []string{"* OK ready\r\n", "> a1 STARTTLS", "a2 OK done\r\n"}, `STARTTLS: server replied "a2 OK done", want a1 OK`},
		{"endless untagged data", []string{"* OK ready\r\n", "> a1 STARTTLS", lines("* spam", 100)}, "STARTTLS: no tagged reply after 100 lines"},
		{"line without newline in the greeting", []string{long}, "reading greeting: line longer than 4096 bytes"},
		{"line without newline in the reply", []string{"* OK ready\r\n", "> a1 STARTTLS", "* " + long}, "reading STARTTLS reply: line longer than 4096 bytes"},
		{"closed at once", nil, "reading greeting: unexpected EOF"},
		{"closed before the tagged reply", []string{"* OK ready\r\n", "> a1 STARTTLS", "* CAPABILITY IMAP4rev1\r\n"}, "reading STARTTLS reply: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, imapStartTLS(script(t, tc.steps...), ""), tc.want)
		})
	}
}

func TestFTP(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string
		want  string
	}{
		{"ok", []string{"220 ftp ready\r\n", "> AUTH TLS", "234 AUTH TLS ok\r\n"}, ""},
		{"multi-line banner", []string{"220-Welcome\r\n220-Authorised use only\r\n220 ready\r\n", "> AUTH TLS", "234 go\r\n"}, ""},
		{"free text inside a multi-line banner (RFC 959)", []string{"220-Welcome\r\nThis server is for authorised use only\r\n 220 padded, not the end\r\n220 ready\r\n", "> AUTH TLS", "234 go\r\n"}, ""},
		{"busy", []string{"421 too many users\r\n"}, `greeting: server replied "421 too many users", want 220`},
		{"refused", []string{"220 ready\r\n", "> AUTH TLS", "534 TLS not available\r\n"}, `AUTH TLS: server replied "534 TLS not available", want 234`},
		{"not understood", []string{"220 ready\r\n", "> AUTH TLS", "500 AUTH not understood\r\n"}, `AUTH TLS: server replied "500 AUTH not understood", want 234`},
		{"line without newline", []string{"220 ready\r\n", "> AUTH TLS", long}, "reading AUTH TLS: line longer than 4096 bytes"},
		{"closed after AUTH TLS", []string{"220 ready\r\n", "> AUTH TLS"}, "reading AUTH TLS: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ftpAuthTLS(script(t, tc.steps...), ""), tc.want)
		})
	}
}

func TestPOP3(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string
		want  string
	}{
		{"ok", []string{"+OK POP3 ready\r\n", "> STLS", "+OK begin TLS\r\n"}, ""},
		{"greeting refused", []string{"-ERR go away\r\n"}, `greeting: server replied "-ERR go away", want +OK`},
		{"refused", []string{"+OK ready\r\n", "> STLS", "-ERR not now\r\n"}, `STLS: server replied "-ERR not now", want +OK`},
		{"line without newline", []string{long}, "reading greeting: line longer than 4096 bytes"},
		{"closed after STLS", []string{"+OK ready\r\n", "> STLS"}, "reading STLS: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, pop3StartTLS(script(t, tc.steps...), ""), tc.want)
		})
	}
}

// respond plays a server that reads n bytes, hands them to check, then
// writes reply and closes.
func respond(t *testing.T, n int, check func([]byte), reply []byte) net.Conn {
	t.Helper()
	return pipe(t, func(conn net.Conn) {
		if n > 0 {
			req := make([]byte, n)
			if _, err := io.ReadFull(conn, req); err != nil {
				t.Errorf("server: reading the %d-byte request: %v", n, err)
				return
			}
			if check != nil {
				check(req)
			}
		}
		conn.Write(reply)
	})
}

func TestPostgres(t *testing.T) {
	wantReq := []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f} // length 8, code 80877103
	check := func(req []byte) {
		if !bytes.Equal(req, wantReq) {
			t.Errorf("SSLRequest = % x, want % x", req, wantReq)
		}
	}
	for _, tc := range []struct {
		name  string
		reply []byte
		want  string
	}{
		{"ok", []byte("S"), ""},
		{"refused", []byte("N"), "server refused SSL (ssl = off)"},
		{"error message", []byte("E"), `unexpected SSLRequest answer 'E', want 'S'`},
		{"closed", nil, "reading SSLRequest answer: EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, postgresSSLRequest(respond(t, 8, check, tc.reply), ""), tc.want)
		})
	}
}

func TestLDAP(t *testing.T) {
	oid := "1.3.6.1.4.1.1466.20037"
	wantReq := append([]byte{0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16}, oid...)
	check := func(req []byte) {
		if !bytes.Equal(req, wantReq) {
			t.Errorf("ExtendedRequest = % x, want % x", req, wantReq)
		}
	}
	response := func(code byte, diag string) []byte {
		op := append([]byte{0x0a, 0x01, code, 0x04, 0x00, 0x04, byte(len(diag))}, diag...)
		body := append([]byte{0x02, 0x01, 0x01, 0x78, byte(len(op))}, op...)
		return append([]byte{0x30, byte(len(body))}, body...)
	}
	for _, tc := range []struct {
		name  string
		reply []byte
		want  string
	}{
		{"ok", response(0, ""), ""},
		{"refused", response(2, "StartTLS not supported"), `server refused StartTLS: resultCode 2 "StartTLS not supported"`},
		{"not an ExtendedResponse", []byte{0x30, 0x0a, 0x02, 0x01, 0x01, 0x65, 0x05, 0x0a, 0x01, 0x00, 0x04, 0x00}, "not an ExtendedResponse: unexpected BER element, want tag 0x78"},
		{"no message ID", []byte{0x30, 0x03, 0x04, 0x01, 0x01}, "unexpected BER element, want tag 0x02"},
		{"long resultCode", []byte{0x30, 0x0b, 0x02, 0x01, 0x01, 0x78, 0x06, 0x0a, 0x02, 0x00, 0x00, 0x04, 0x00}, "malformed ExtendedResponse resultCode"},
		{"huge response", []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, "reading ExtendedResponse: BER element of 2147483647 bytes, more than 65536"},
		{"not a message", []byte("HTTP/1.1 400 Bad Request\r\n"), "reading ExtendedResponse: unexpected BER tag 0x48, want 0x30"},
		{"closed in the response", []byte{0x30, 0x0c, 0x02, 0x01}, "reading ExtendedResponse: unexpected EOF"},
		{"closed", nil, "reading ExtendedResponse: EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ldapStartTLS(respond(t, len(wantReq), check, tc.reply), ""), tc.want)
		})
	}
}

func TestMySQL(t *testing.T) {
	handshake := func(caps uint16) []byte {
		payload := []byte{0x0a}
		payload = append(payload, "8.0.36\x00"...)
		payload = append(payload, 1, 0, 0, 0)
		payload = append(payload, "saltsalt"...)
		payload = append(payload, 0)
		payload = binary.LittleEndian.AppendUint16(payload, caps)
		payload = append(payload, 45, 2, 0, 0, 0)
		return append([]byte{byte(len(payload)), byte(len(payload) >> 8), 0, 0}, payload...)
	}
	packet := func(payload ...byte) []byte {
		return append([]byte{byte(len(payload)), byte(len(payload) >> 8), 0, 0}, payload...)
	}

	t.Run("ok", func(t *testing.T) {
		conn := pipe(t, func(conn net.Conn) {
			conn.Write(handshake(0x0200 | 0x0800 | 0x8000))
			req := make([]byte, 36)
			if _, err := io.ReadFull(conn, req); err != nil {
				t.Errorf("server: reading the SSLRequest: %v", err)
				return
			}
			if req[0] != 32 || req[3] != 1 {
				t.Errorf("SSLRequest header % x, want length 32 and sequence 1", req[:4])
			}
			if caps := binary.LittleEndian.Uint32(req[4:]); caps&0x0800 == 0 || caps&0x0200 == 0 {
				t.Errorf("SSLRequest capabilities %#x lack CLIENT_SSL or CLIENT_PROTOCOL_41", caps)
			}
		})
		checkErr(t, mysqlSSLRequest(conn, ""), "")
	})
	for _, tc := range []struct {
		name  string
		reply []byte
		want  string
	}{
		{"no SSL", handshake(0x0200 | 0x8000), "server does not support SSL (have_ssl = DISABLED)"},
		{"error packet", packet(append([]byte{0xff, 0x69, 0x04}, "Host '10.0.0.9' is blocked"...)...), `server sent an error: "Host '10.0.0.9' is blocked"`},
		{"old protocol", packet(9, '4', '.', '0', 0), "unsupported handshake protocol version 9"},
		{"too short", packet(0x0a, '8', 0, 1, 2), "handshake packet too short"},
		{"empty packet", packet(), "handshake packet of 0 bytes"},
		{"huge packet", []byte{0xff, 0xff, 0xff, 0}, "handshake packet of 16777215 bytes"},
		{"closed in the header", []byte{0x4a, 0}, "reading handshake: unexpected EOF"},
		{"closed in the payload", []byte{0x4a, 0, 0, 0, 0x0a, '8'}, "reading handshake: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, mysqlSSLRequest(respond(t, 0, nil, tc.reply), ""), tc.want)
		})
	}
}

func TestLookupStartTLS(t *testing.T) {
	if u, err := lookupStartTLS(""); u != nil || err != nil {
		t.Errorf(`lookupStartTLS("") = %v, %v; want no upgrade and no error`, u != nil, err)
	}
	for _, proto := range StartTLSProtocols() {
		if u, err := lookupStartTLS(proto); u == nil || err != nil {
			t.Errorf("lookupStartTLS(%q) = %v, %v", proto, u != nil, err)
		}
	}
	if _, err := lookupStartTLS("SMTP"); err == nil {
		t.Errorf(`lookupStartTLS("SMTP") succeeded; protocols are lower case`)
	}
}
