package tlsprobe

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"slices"
	"strings"
)

// upgrader speaks a plain-text protocol on conn up to the point where the
// server expects a TLS ClientHello.
type upgrader func(conn net.Conn, serverName string) error

var upgraders = map[string]upgrader{
	"smtp":     smtpStartTLS,
	"imap":     imapStartTLS,
	"pop3":     pop3StartTLS,
	"ftp":      ftpAuthTLS,
	"postgres": postgresSSLRequest,
	"ldap":     ldapStartTLS,
	"mysql":    mysqlSSLRequest,
}

// StartTLSProtocols lists the protocols --starttls accepts.
func StartTLSProtocols() []string { return slices.Sorted(maps.Keys(upgraders)) }

// CheckStartTLS reports whether Probe knows the protocol, in the words a
// usage error needs.
func CheckStartTLS(proto string) error {
	_, err := lookupStartTLS(proto)
	return err
}

func lookupStartTLS(proto string) (upgrader, error) {
	if proto == "" {
		return nil, nil
	}
	u, ok := upgraders[proto]
	if !ok {
		return nil, fmt.Errorf("unknown STARTTLS protocol %q: use one of %s", proto, strings.Join(StartTLSProtocols(), ", "))
	}
	return u, nil
}

// maxLine bounds one line of a plain-text protocol, so that a server that
// never sends a newline cannot grow memory until the deadline.
const maxLine = 4096

// textConn reads CRLF-terminated lines. Its reader must not read past what
// the server sent before the TLS handshake, which it does not: a server
// waits for our command before it sends anything more.
type textConn struct {
	conn net.Conn
	r    *bufio.Reader
}

func newTextConn(conn net.Conn) *textConn {
	return &textConn{conn: conn, r: bufio.NewReaderSize(conn, maxLine)}
}

func (c *textConn) readLine() (string, error) {
	line, err := c.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", fmt.Errorf("line longer than %d bytes", maxLine)
	}
	if err != nil {
		if err == io.EOF {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

func (c *textConn) send(cmd string) error {
	_, err := io.WriteString(c.conn, cmd+"\r\n")
	return err
}

// readReply reads a numeric reply as SMTP and FTP send it: "250 text",
// or "250-text" continued up to the line that starts "250 ". FTP (RFC 959)
// lets the lines in between be free text, padded so that none starts with
// a code and a space: such a line ends the reply, whatever its code.
func (c *textConn) readReply() (code string, lines []string, err error) {
	first, err := c.readLine()
	if err != nil {
		return "", nil, err
	}
	lines = append(lines, first)
	if !isReplyCode(first) || len(first) > 3 && first[3] != ' ' && first[3] != '-' {
		return "", lines, fmt.Errorf("unexpected reply %q", first)
	}
	if len(first) == 3 || first[3] == ' ' {
		return first[:3], lines, nil
	}
	for len(lines) <= 1000 {
		line, err := c.readLine()
		if err != nil {
			return "", lines, err
		}
		lines = append(lines, line)
		if isReplyCode(line) && (len(line) == 3 || line[3] == ' ') {
			return line[:3], lines, nil
		}
	}
	return "", lines, fmt.Errorf("reply of more than 1000 lines")
}

func isReplyCode(line string) bool {
	if len(line) < 3 {
		return false
	}
	for _, b := range []byte(line[:3]) {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}

func (c *textConn) expectReply(want, what string) ([]string, error) {
	code, lines, err := c.readReply()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if code != want {
		return nil, fmt.Errorf("%s: server replied %q, want %s", what, lines[len(lines)-1], want)
	}
	return lines, nil
}

func helloName() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		return h
	}
	return "localhost"
}

func smtpStartTLS(conn net.Conn, _ string) error {
	c := newTextConn(conn)
	if _, err := c.expectReply("220", "greeting"); err != nil {
		return err
	}
	if err := c.send("EHLO " + helloName()); err != nil {
		return err
	}
	lines, err := c.expectReply("250", "EHLO")
	if err != nil {
		return err
	}
	offered := false
	for _, l := range lines[1:] {
		if len(l) > 4 && strings.EqualFold(strings.Fields(l[4:] + " x")[0], "STARTTLS") {
			offered = true
		}
	}
	if !offered {
		return fmt.Errorf("server does not offer STARTTLS in its EHLO reply")
	}
	if err := c.send("STARTTLS"); err != nil {
		return err
	}
	_, err = c.expectReply("220", "STARTTLS")
	return err
}

func ftpAuthTLS(conn net.Conn, _ string) error {
	c := newTextConn(conn)
	if _, err := c.expectReply("220", "greeting"); err != nil {
		return err
	}
	if err := c.send("AUTH TLS"); err != nil {
		return err
	}
	_, err := c.expectReply("234", "AUTH TLS")
	return err
}

func pop3StartTLS(conn net.Conn, _ string) error {
	c := newTextConn(conn)
	if err := c.expectOK("greeting"); err != nil {
		return err
	}
	if err := c.send("STLS"); err != nil {
		return err
	}
	return c.expectOK("STLS")
}

// expectOK reads a POP3 "+OK" reply.
func (c *textConn) expectOK(what string) error {
	line, err := c.readLine()
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	if !strings.HasPrefix(line, "+OK") {
		return fmt.Errorf("%s: server replied %q, want +OK", what, line)
	}
	return nil
}

func imapStartTLS(conn net.Conn, _ string) error {
	c := newTextConn(conn)
	line, err := c.readLine()
	if err != nil {
		return fmt.Errorf("reading greeting: %w", err)
	}
	if !strings.HasPrefix(line, "* OK") {
		return fmt.Errorf("greeting: server sent %q, want * OK", line)
	}
	if err := c.send("a1 STARTTLS"); err != nil {
		return err
	}
	for i := 0; i < 100; i++ {
		line, err := c.readLine()
		if err != nil {
			return fmt.Errorf("reading STARTTLS reply: %w", err)
		}
		if strings.HasPrefix(line, "* ") {
			continue // untagged data before the tagged reply
		}
		if strings.HasPrefix(line, "a1 OK") {
			return nil
		}
		return fmt.Errorf("STARTTLS: server replied %q, want a1 OK", line)
	}
	return fmt.Errorf("STARTTLS: no tagged reply after 100 lines")
}
