// Package tlsprobe connects to a TLS endpoint, directly or through a
// STARTTLS exchange, and returns the certificates it presents. It does not
// verify them: judging is the caller's job, so that a failed verification
// never hides how long the certificates have left.
package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
)

// Endpoint is one TLS listener at one address.
type Endpoint struct {
	Addr netip.AddrPort
	// ServerName is sent as SNI; empty or an IP literal sends none.
	ServerName string
	// StartTLS names the plain-text protocol to upgrade from, or "" for
	// a listener that speaks TLS at once.
	StartTLS string
	// Conn, when set, is a connection to Addr already made (by a dialer
	// that tries a host's addresses in turn): Probe uses it instead of
	// connecting, and closes it.
	Conn net.Conn
}

// Options apply to every handshake.
type Options struct {
	// ClientCert is presented when the server asks for one (mTLS).
	ClientCert *tls.Certificate
}

// Result is what a handshake saw.
type Result struct {
	// Certificates as the server sent them, leaf first.
	Certificates []*x509.Certificate
	Version      uint16
	CipherSuite  uint16
	// Connect, StartTLS and Handshake are the durations of the phases.
	Connect, StartTLS, Handshake time.Duration
	// HandshakeSignature is how the server signed a TLS 1.2 handshake
	// (its ServerKeyExchange); zero when none was seen.
	HandshakeSignature tls.SignatureScheme
	// Unparsed are the certificates the server sent that Go cannot
	// parse, which fail the handshake of every Go client; Certificates
	// then holds the others, read from the handshake's bytes.
	Unparsed []Unparsed
}

// Unparsed is a certificate the server sent that Go cannot parse.
type Unparsed struct {
	// Index is its place in what the server sent, 0 for the leaf.
	Index int
	Err   error
}

// Probe handshakes with the endpoint within ctx. Errors are *inflight.Error,
// naming the phase that failed or was in progress when ctx ran out.
//
// When the handshake fails after the server's certificates arrived (a key
// Go refuses to use, a bad signature, a TLS alert after our certificate),
// the Result is returned too, with the Certificates and the phase
// durations so far, so that the days they have left are not lost. Before
// that, the Result is nil. An alert the server sent is a *RefusedError in
// the chain.
//
// A certificate Go cannot parse fails the handshake before any callback
// sees the others. Their bytes are read from the handshake itself: in the
// clear up to TLS 1.2, so a TLS 1.3 handshake that fails so is tried again
// on a new connection capped at TLS 1.2. The Result then has Unparsed.
func Probe(ctx context.Context, ep Endpoint, opts Options) (*Result, error) {
	res, err := probe(ctx, ep, opts, 0)
	if err == nil || res != nil || !errors.Is(err, errUnparsable) {
		return res, err
	}
	// TLS 1.3 hid the certificates; a server that also speaks TLS 1.2
	// shows them. One that does not leaves the first failure to report.
	ep.Conn = nil
	if again, againErr := probe(ctx, ep, opts, tls.VersionTLS12); again != nil {
		return again, againErr
	}
	return nil, err
}

// errUnparsable marks a handshake that failed on a certificate Go could
// not parse, whose bytes were not seen.
var errUnparsable = errors.New("the other certificates could not be read: TLS 1.3 encrypts them, and TLS 1.2 did not show them")

func probe(ctx context.Context, ep Endpoint, opts Options, maxVersion uint16) (*Result, error) {
	upgrade, err := lookupStartTLS(ep.StartTLS)
	if err != nil {
		return nil, err
	}
	addr := ep.Addr.String()
	res := &Result{}

	conn := ep.Conn
	if conn == nil {
		t := inflight.BeginPhase(ctx, inflight.Connect, addr)
		var dialer net.Dialer
		if conn, err = dialer.DialContext(ctx, "tcp", addr); err != nil {
			return nil, t.Fail(ctx, err)
		}
		res.Connect = t.End()
	}
	defer conn.Close()
	// Every read and write below is bounded by the run's deadline, and a
	// cancelled run unblocks them at once.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var t inflight.Timer
	if upgrade != nil {
		t = inflight.BeginPhase(ctx, inflight.StartTLS, addr)
		if err := upgrade(conn, ep.ServerName); err != nil {
			return nil, t.Fail(ctx, fmt.Errorf("%s: %w", ep.StartTLS, err))
		}
		res.StartTLS = t.End()
	}

	t = inflight.BeginPhase(ctx, inflight.TLS, addr)
	cfg := &tls.Config{
		// Verification is done by the caller on the returned certificates,
		// with its own roots and name, so that an untrusted or mismatched
		// certificate still yields its expiry.
		InsecureSkipVerify: true,
		// Old listeners still have certificates that expire.
		MinVersion: tls.VersionTLS10,
		MaxVersion: maxVersion,
		// Nothing secret crosses this connection, so the post-quantum
		// hybrid key exchange (Go's default first choice) would only add
		// a key generation to every handshake of every run. P-256 first:
		// every server has it, and Go's is the fastest of the three.
		CurvePreferences: []tls.CurveID{tls.CurveP256, tls.X25519, tls.CurveP384},
		// For the same reason every suite Go still implements is offered
		// for TLS 1.0-1.2, RSA key exchange and 3DES included: a legacy
		// listener's certificate expires like any other.
		CipherSuites: allCipherSuites,
		// The certificates are kept as soon as they arrive: a handshake
		// that fails later still tells how long they have left.
		VerifyConnection: func(cs tls.ConnectionState) error {
			res.Certificates = cs.PeerCertificates
			return nil
		},
	}
	if ep.ServerName != "" && net.ParseIP(ep.ServerName) == nil {
		cfg.ServerName = ep.ServerName
	}
	if opts.ClientCert != nil {
		cert := opts.ClientCert
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	rec := &recorder{Conn: conn}
	tc := tls.Client(rec, cfg)
	err = tc.HandshakeContext(ctx)
	clear := readClearHandshake(rec.buf)
	res.HandshakeSignature = clear.Signature
	if err != nil {
		err = refused(err, opts.ClientCert != nil)
		if len(res.Certificates) == 0 && strings.Contains(err.Error(), "failed to parse certificate from server") {
			err = unparsable(res, clear.Certificates, err)
		}
		if len(res.Certificates) == 0 {
			return nil, t.Fail(ctx, err)
		}
		return res, t.Fail(ctx, err)
	}
	res.Handshake = t.End()
	state := tc.ConnectionState()
	res.Certificates = state.PeerCertificates
	res.Version = state.Version
	res.CipherSuite = state.CipherSuite
	if len(res.Certificates) == 0 {
		return nil, t.Fail(ctx, errors.New("the server presented no certificate"))
	}
	return res, nil
}

// unparsable reads the certificates of a handshake that failed on one Go
// cannot parse from the bytes of its Certificate message (raw), keeping
// the others in res, and says which could not be read. With no bytes seen
// (TLS 1.3), the error is marked errUnparsable for Probe to try TLS 1.2.
func unparsable(res *Result, raw [][]byte, err error) error {
	if len(raw) == 0 {
		return fmt.Errorf("%w (%w)", err, errUnparsable)
	}
	var problems []string
	for i, der := range raw {
		c, perr := x509.ParseCertificate(der)
		if perr != nil {
			res.Unparsed = append(res.Unparsed, Unparsed{Index: i, Err: perr})
			what := fmt.Sprintf("certificate %d", i+1)
			if i == 0 {
				what = "the leaf"
			}
			problems = append(problems, fmt.Sprintf("%s the server sent cannot be parsed (%s)", what, strings.TrimPrefix(perr.Error(), "x509: ")))
			continue
		}
		res.Certificates = append(res.Certificates, c)
	}
	if len(problems) == 0 {
		return err
	}
	return errors.New(strings.Join(problems, "; ") + ": every Go client fails the handshake")
}

// allCipherSuites is every TLS 1.0-1.2 suite crypto/tls implements, the
// ones it deems insecure too; TLS 1.3 suites are not configurable.
var allCipherSuites = func() []uint16 {
	var ids []uint16
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, cs := range list {
			ids = append(ids, cs.ID)
		}
	}
	return ids
}()

// RefusedError is a TLS alert the server sent during the handshake: the
// server refused us, for a reason it names, and the fault is not (as the
// same words printed alone would suggest) something found on its side.
// "unknown certificate authority" from an mTLS server means our client
// certificate's CA is unknown to it.
type RefusedError struct {
	// Alert is the alert's description: "unknown certificate authority".
	Alert string
	// Hint says what the alert usually means from a server.
	Hint string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("the server refused the handshake: %s (%s)", e.Alert, e.Hint)
}

// refused turns an alert received from the server into a *RefusedError;
// other errors are returned as they are.
func refused(err error, clientCert bool) error {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" || op.Err == nil {
		return err
	}
	alert := strings.TrimPrefix(op.Err.Error(), "tls: ")
	hint := "a TLS alert from the server"
	switch alert {
	case "bad certificate", "unsupported certificate", "revoked certificate", "expired certificate",
		"unknown certificate", "unknown certificate authority", "access denied", "certificate required":
		if clientCert {
			hint = "it did not accept the client certificate it was given"
		} else {
			hint = "it may require a client certificate"
		}
	case "handshake failure":
		// Servers (Go's among them) send it for a missing client
		// certificate as well as for nothing in common.
		if clientCert {
			hint = "no cipher suite in common, or it did not accept the client certificate it was given"
		} else {
			hint = "no cipher suite in common, or it requires a client certificate"
		}
	case "protocol version not supported", "insufficient security level":
		hint = "no TLS version or cipher suite in common"
	case "unrecognized name":
		hint = "it does not serve the name sent as SNI"
	}
	return &RefusedError{Alert: alert, Hint: hint}
}
