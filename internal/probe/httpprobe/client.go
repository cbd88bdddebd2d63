package httpprobe

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// Client sends requests over one Transport, so that the steps of a
// journey reuse their connections as a browser would.
type Client struct {
	o         Options
	dialer    *netdial.Dialer
	verifier  *certchain.Verifier
	transport *http.Transport
}

// New returns a Client for o.
func New(o Options) (*Client, error) {
	if o.SourceIP.IsValid() && !o.Family.Allows(o.SourceIP) {
		return nil, fmt.Errorf("source address %s is not an %s address", o.SourceIP, o.Family)
	}
	for _, ct := range o.ConnectTo {
		if ct.Port < 0 || ct.Port > 65535 || ct.ToPort < 0 || ct.ToPort > 65535 {
			return nil, fmt.Errorf("connect-to %s:%d:%s:%d: a port is out of range", ct.Host, ct.Port, ct.ToHost, ct.ToPort)
		}
	}
	if http2Off() {
		switch o.Protocol {
		case HTTP2:
			return nil, errors.New("HTTP/2 is turned off in this process by GODEBUG=http2client=0")
		case Negotiate:
			// Offering h2 by ALPN to a Transport that will not speak it
			// would leave a server speaking HTTP/2 to an HTTP/1.1 client.
			o.Protocol = HTTP1
		}
	}
	c := &Client{
		o: o,
		dialer: &netdial.Dialer{
			Resolver:  o.Resolver,
			Family:    o.Family,
			Deadline:  o.Deadline,
			LocalAddr: o.SourceIP,
		},
		verifier: certchain.NewVerifier(o.Trust, time.Time{}, o.Insecure),
	}
	t := &http.Transport{
		DialContext:     c.dial,
		DialTLSContext:  c.dialTLS,
		TLSClientConfig: c.tlsConfig(""),
		// A check sends a handful of requests; idle connections only
		// serve the steps of one journey.
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	if o.Proxy != nil {
		t.Proxy = http.ProxyURL(o.Proxy)
		secret.Process().AddURL(o.Proxy.String())
	} else {
		t.Proxy = http.ProxyFromEnvironment
		addProxySecrets()
	}
	var p http.Protocols
	switch o.Protocol {
	case HTTP1:
		p.SetHTTP1(true)
	case HTTP2:
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
	default:
		p.SetHTTP1(true)
		p.SetHTTP2(true)
	}
	t.Protocols = &p
	c.transport = t
	return c, nil
}

// addProxySecrets registers the credentials of the proxies the
// environment names: a proxy that echoes the request (an error page
// quoting its headers) must not get the proxy's password printed.
func addProxySecrets() {
	for _, name := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if !strings.Contains(v, "://") {
			v = "http://" + v // as net/http reads "user:pass@proxy:3128"
		}
		secret.Process().AddURL(v)
	}
}

// http2Off reports whether GODEBUG turns net/http's HTTP/2 client off, as
// mackerel-agent's environment does for the plugins it starts: the last
// http2client setting wins, as in the runtime.
func http2Off() bool {
	off := false
	for _, kv := range strings.Split(os.Getenv("GODEBUG"), ",") {
		if name, value, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && name == "http2client" {
			off = value == "0"
		}
	}
	return off
}

// CloseIdleConnections closes the connections kept for later requests.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// nextProtos is what ALPN offers.
func (c *Client) nextProtos() []string {
	switch c.o.Protocol {
	case HTTP1:
		return []string{"http/1.1"}
	case HTTP2:
		return []string{"h2"}
	}
	return []string{"h2", "http/1.1"}
}

// tlsConfig verifies through the Verifier for name, or, when name is empty
// (net/http's own handshake through a proxy tunnel), for the name sent.
func (c *Client) tlsConfig(name string) *tls.Config {
	cfg := &tls.Config{
		NextProtos:         c.nextProtos(),
		InsecureSkipVerify: true,
	}
	if c.o.ClientCert != nil {
		cfg.Certificates = []tls.Certificate{*c.o.ClientCert}
	}
	if c.o.Insecure {
		return cfg
	}
	if name == "" {
		cfg.VerifyConnection = c.verifier.VerifyConnection
	} else {
		cfg.VerifyConnection = c.verifier.VerifyConnectionFor(name)
	}
	return cfg
}

// connectTo applies the first matching ConnectTo to host:port.
func (c *Client) connectTo(host string, port int) (string, int) {
	for _, ct := range c.o.ConnectTo {
		if (ct.Host == "" || strings.EqualFold(strings.Trim(ct.Host, "[]"), host)) && (ct.Port == 0 || ct.Port == port) {
			if ct.ToHost != "" {
				host = strings.Trim(ct.ToHost, "[]")
			}
			if ct.ToPort != 0 {
				port = ct.ToPort
			}
			return host, port
		}
	}
	return host, port
}

func splitPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("port %q: %w", p, err)
	}
	return host, port, nil
}

// dial connects to addr, or where a ConnectTo sends it.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := splitPort(addr)
	if err != nil {
		return nil, err
	}
	host, port = c.connectTo(host, port)
	if tr := tracerFrom(ctx); tr != nil {
		if _, err := netip.ParseAddr(host); err == nil {
			tr.enter(inflight.Connect, net.JoinHostPort(host, strconv.Itoa(port)))
		} else {
			tr.enter(inflight.DNS, host)
		}
	}
	return c.dialer.DialContext(ctx, network, net.JoinHostPort(host, strconv.Itoa(port)))
}

// dialTLS connects and handshakes, verifying the certificate for the
// URL's host whatever address a ConnectTo sent the connection to.
func (c *Client) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	raw, err := c.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	cfg := c.tlsConfig(host)
	// The certificates of a chain that fails verification are kept, so
	// that their expiry can still be judged. The callback runs inside
	// HandshakeContext, on this goroutine.
	var presented []*x509.Certificate
	if verify := cfg.VerifyConnection; verify != nil {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			err := verify(cs)
			if err != nil {
				presented = cs.PeerCertificates
			}
			return err
		}
	}
	if _, err := netip.ParseAddr(host); err != nil {
		cfg.ServerName = host
	}
	if !c.o.Deadline.IsZero() {
		// net/http detaches dials from the request's context.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, c.o.Deadline)
		defer cancel()
	}
	tr := tracerFrom(ctx)
	if tr != nil {
		tr.handshake(raw.RemoteAddr().String())
	}
	t := inflight.BeginPhase(ctx, inflight.TLS, raw.RemoteAddr().String())
	conn := tls.Client(raw, cfg)
	err = conn.HandshakeContext(ctx)
	if err == nil && c.o.Protocol == HTTP2 && conn.ConnectionState().NegotiatedProtocol != "h2" {
		err = errors.New("the server does not offer HTTP/2 (ALPN h2)")
	}
	if tr != nil {
		tr.handshakeDone(err == nil)
	}
	if err != nil {
		raw.Close()
		err = explainHandshake(err)
		if presented != nil {
			return nil, &CertError{Presented: presented, Err: t.Fail(ctx, err)}
		}
		return nil, t.Fail(ctx, err)
	}
	t.End()
	return conn, nil
}

var errNoH2C = errors.New("the server does not speak HTTP/2 over plain HTTP (h2c)")

// explainHandshake adds to what Go says of a failed handshake what to do
// about it, where Go's words leave the responder guessing.
func explainHandshake(err error) error {
	var rec tls.RecordHeaderError
	if errors.As(err, &rec) && string(rec.RecordHeader[:]) == "HTTP/" {
		return fmt.Errorf("%w: the server answered in plain HTTP (an http:// port?)", err)
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		return fmt.Errorf("%w (an unknown CA, or the server does not send its intermediate; --ca-file adds a private CA)", err)
	}
	return err
}

// CertError is a handshake that failed in certificate verification (an
// unknown authority, an expired chain, a wrong name). Err is the
// *inflight.Error of the handshake, and the message is its message; Presented
// are the certificates the server sent, leaf first, unverified.
type CertError struct {
	Presented []*x509.Certificate
	Err       error
}

func (e *CertError) Error() string { return e.Err.Error() }

func (e *CertError) Unwrap() error { return e.Err }

// Do sends r and reads the final response's body up to its cap. Every
// failure to get a response is a *inflight.Error naming the phase and the
// address, or a *RedirectError; a status of any kind is a response, not
// an error, and so is a body cut at the cap.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", secret.RedactURL(r.URL), secret.ParseError(r.URL, err))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%s is not an http:// or https:// URL", secret.RedactURL(r.URL))
	}
	tr := &tracer{ctx: ctx, start: time.Now()}
	defer tr.close()
	req, err := http.NewRequestWithContext(withTracer(httptrace.WithClientTrace(ctx, tr.clientTrace()), tr), method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	if r.Body == nil {
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
	}
	for name, values := range r.Header {
		req.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	if r.Host != "" {
		req.Host = r.Host
	}
	if err := netdial.CheckURLPort(u); err != nil {
		return nil, fmt.Errorf("%s: %v", secret.RedactURL(r.URL), err)
	}
	max := r.MaxRedirects
	if max == 0 {
		max = DefaultMaxRedirects
	}
	var down *Downgrade
	hc := &http.Client{
		Transport: c.transport,
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			if r.NoFollow {
				return http.ErrUseLastResponse
			}
			if r.Secrets != nil {
				r.Secrets(next.URL.String())
			}
			chain := make([]*url.URL, 0, len(via)+1)
			for _, v := range via {
				chain = append(chain, v.URL)
			}
			chain = append(chain, next.URL)
			if next.URL.Scheme != "http" && next.URL.Scheme != "https" {
				return &RedirectError{URLs: chain, Refused: "only http:// and https:// redirects are followed"}
			}
			if err := netdial.CheckURLPort(next.URL); err != nil {
				return &RedirectError{URLs: chain, Refused: err.Error()}
			}
			if next.URL.Scheme == "http" {
				for _, v := range via {
					if v.URL.Scheme == "https" {
						if down == nil {
							down = &Downgrade{From: via[len(via)-1].URL, To: next.URL}
						}
						down.strip(next)
						break
					}
				}
			}
			for _, v := range via {
				if v.URL.String() == next.URL.String() {
					return &RedirectError{URLs: chain, Loop: true}
				}
			}
			if len(via) > max {
				return &RedirectError{URLs: chain, Max: max}
			}
			return nil
		},
	}
	if c.o.Jar != nil {
		hc.Jar = downgradeJar{c.o.Jar, &down}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if c.o.Protocol == HTTP2 && u.Scheme == "http" {
			// What net/http says when the first frame it reads is an
			// HTTP/1.1 status line, or the server hangs up on the
			// preface.
			switch msg := err.Error(); {
			case strings.Contains(msg, "frame too large"):
				err = fmt.Errorf("%w: it answered in HTTP/1.1", errNoH2C)
			case strings.Contains(msg, "client conn could not be established"):
				err = fmt.Errorf("%w: it closed the connection", errNoH2C)
			}
		}
		return nil, tr.fail(unquoteHeaders(err), u)
	}
	defer resp.Body.Close()
	out := &Response{
		URL:        resp.Request.URL,
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Proto:      resp.Proto,
		Header:     resp.Header,
		Downgrade:  down,
	}
	for q := resp.Request; q.Response != nil; q = q.Response.Request {
		from := q.Response.Request.URL
		out.Redirects = append([]*url.URL{from}, out.Redirects...)
		if hop := q.Response.TLS; hop != nil {
			chain := c.verifier.Verify(hop.PeerCertificates, verifyName(from.Hostname())).Chain
			out.RedirectChains = append([]RedirectChain{{From: from, Chain: chain}}, out.RedirectChains...)
		}
	}
	if resp.TLS != nil {
		out.PeerCertificates = resp.TLS.PeerCertificates
		// Verified as the handshake was, for the URL's host: the
		// verifier remembers that verdict, so this costs a map lookup.
		out.Chain = c.verifier.Verify(resp.TLS.PeerCertificates, verifyName(resp.Request.URL.Hostname())).Chain
	}
	limit := r.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	limit = min(limit, MaxBodyLimit)
	tr.enter(inflight.Body, tr.remote(u))
	var src io.Reader = resp.Body
	if !resp.Uncompressed {
		// net/http decodes gzip only when it asked for it itself; with an
		// Accept-Encoding header of the caller's, the assertions would see
		// compressed bytes. The cap then bounds the decoded size, as it
		// does when net/http decodes.
		var err error
		if src, err = decode(resp.Body, resp.Header.Values("Content-Encoding")); err != nil {
			return nil, tr.fail(err, u)
		}
	}
	body, err := readCapped(src, limit+1, resp.ContentLength)
	if err != nil {
		return nil, tr.fail(err, u)
	}
	if int64(len(body)) > limit {
		body, out.Truncated = body[:limit], true
	}
	out.Body = body
	tr.leave()
	out.Timings = tr.timings()
	return out, nil
}

// unquoteHeaders rewords the net/http errors that quote a response header
// as received: a Location that does not parse, a header line that is
// malformed (a bad byte, no colon, an indented first line: every
// textproto.ProtocolError quotes the line). Such a header comes from the
// server, with a user's password in it as often as not, and nothing has
// registered it for masking.
func unquoteHeaders(err error) error {
	var pe textproto.ProtocolError
	switch msg := err.Error(); {
	case strings.Contains(msg, "failed to parse Location header"):
		return errors.New("the redirect's Location header is not a URL (not quoted: it may hold a password)")
	case errors.As(err, &pe):
		why := "malformed response header line"
		switch {
		case strings.Contains(msg, "initial line"):
			why = "the first response header line is indented"
		case strings.Contains(msg, "missing colon"):
			why = "a response header line has no colon"
		}
		return errors.New(why + " (not quoted: it may hold a password)")
	}
	return err
}

// decode undoes the codings a Content-Encoding header lists, the last
// applied first. A coding it cannot undo is an error that names it: body
// assertions over compressed bytes would pass a page that says anything.
func decode(body io.Reader, header []string) (io.Reader, error) {
	var codings []string
	for _, h := range header {
		for c := range strings.SplitSeq(h, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	for i := len(codings) - 1; i >= 0; i-- {
		switch c := codings[i]; c {
		case "gzip", "x-gzip":
			gz, err := gzip.NewReader(body)
			if err != nil {
				return nil, fmt.Errorf("gzip body: %w", err)
			}
			body = gz
		case "deflate":
			// RFC 9110's deflate is zlib's format, but servers also send
			// the bare stream: zlib's header tells them apart.
			br := bufio.NewReader(body)
			if head, err := br.Peek(2); err == nil && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
				z, err := zlib.NewReader(br)
				if err != nil {
					return nil, fmt.Errorf("deflate body: %w", err)
				}
				body = z
			} else {
				body = flate.NewReader(br)
			}
		default:
			return nil, fmt.Errorf("body sent with Content-Encoding %s, which the check cannot decode to judge it: leave it out of Accept-Encoding", textfmt.Shorten(textfmt.Sanitize(c), 40))
		}
	}
	return body, nil
}

// verifyName is host as VerifyConnectionFor checks it: an address
// without its zone.
func verifyName(host string) string {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.WithZone("").String()
	}
	return host
}

// RedirectError is a chain of redirects that loops, is longer than
// allowed, or leads where no request may go.
type RedirectError struct {
	URLs []*url.URL // in the order they were met, the last one refused
	Loop bool
	Max  int
	// Refused says why the last URL was not followed (a file: URL, a
	// port out of range).
	Refused string
}

func (e *RedirectError) Error() string {
	names := make([]string, len(e.URLs))
	for i, u := range e.URLs {
		// A token in the query is as secret as a password: the
		// message reaches alerts and the agent's log.
		names[i] = secret.RedactURL(u.String())
	}
	chain := strings.Join(names, " -> ")
	if e.Loop {
		return "redirect loop: " + chain
	}
	if e.Refused != "" {
		return fmt.Sprintf("redirect to %s not followed: %s: %s", names[len(names)-1], e.Refused, chain)
	}
	return fmt.Sprintf("more than %d redirects: %s", e.Max, chain)
}

// Downgrade is a redirect from https:// to http://. What would have
// carried credentials in cleartext was not sent on it, nor on any hop
// after it: the Authorization and Cookie headers of the request, user
// info in the URL, the cookies of the jar.
type Downgrade struct {
	From, To *url.URL
	// Dropped names what was held back ("Authorization", "Cookie",
	// "URL user info", "cookies of the journey"), in the order met.
	Dropped []string
}

func (d *Downgrade) drop(what string) {
	for _, w := range d.Dropped {
		if w == what {
			return
		}
	}
	d.Dropped = append(d.Dropped, what)
}

// strip removes the credentials from a request about to go over
// cleartext.
func (d *Downgrade) strip(req *http.Request) {
	for _, h := range []string{"Authorization", "Cookie"} {
		if req.Header.Get(h) != "" {
			req.Header.Del(h)
			d.drop(h)
		}
	}
	if req.URL.User != nil {
		req.URL.User = nil
		d.drop("URL user info")
	}
}

// downgradeJar withholds the jar's cookies from the cleartext hops of a
// downgraded redirect: a session cookie is a credential.
type downgradeJar struct {
	http.CookieJar
	down **Downgrade
}

func (j downgradeJar) Cookies(u *url.URL) []*http.Cookie {
	cookies := j.CookieJar.Cookies(u)
	if d := *j.down; d != nil && u.Scheme == "http" && len(cookies) > 0 {
		d.drop("cookies of the journey")
		return nil
	}
	return cookies
}

// readCapped reads r to its end or to max bytes. Its buffer doubles up to
// max and no further, so that reading a body of max bytes holds little
// more than that (io.ReadAll's growth leaves more behind for the garbage
// collector); a Content-Length is only a hint, a server may lie.
func readCapped(r io.Reader, max, length int64) ([]byte, error) {
	size := int64(32 << 10)
	if length > 0 {
		size = length + 1 // + 1: the read that finds the end
	}
	buf := make([]byte, 0, min(size, max))
	for int64(len(buf)) < max {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), max))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}
