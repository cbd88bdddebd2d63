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
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/phase"
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
}

// Probe handshakes with the endpoint within ctx. Errors are *phase.Error,
// naming the phase that failed or was in progress when ctx ran out.
func Probe(ctx context.Context, ep Endpoint, opts Options) (*Result, error) {
	upgrade, err := lookupStartTLS(ep.StartTLS)
	if err != nil {
		return nil, err
	}
	addr := ep.Addr.String()
	res := &Result{}

	conn := ep.Conn
	if conn == nil {
		t := phase.Start(phase.Connect, addr)
		var dialer net.Dialer
		if conn, err = dialer.DialContext(ctx, "tcp", addr); err != nil {
			return nil, t.Fail(ctx, err)
		}
		res.Connect = t.Elapsed()
	}
	defer conn.Close()
	// Every read and write below is bounded by the run's deadline, and a
	// cancelled run unblocks them at once.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var t phase.Timer
	if upgrade != nil {
		t = phase.Start(phase.StartTLS, addr)
		if err := upgrade(conn, ep.ServerName); err != nil {
			return nil, t.Fail(ctx, fmt.Errorf("%s: %w", ep.StartTLS, err))
		}
		res.StartTLS = t.Elapsed()
	}

	t = phase.Start(phase.TLSHandshake, addr)
	cfg := &tls.Config{
		// Verification is done by the caller on the returned certificates,
		// with its own roots and name, so that an untrusted or mismatched
		// certificate still yields its expiry.
		InsecureSkipVerify: true,
		// Old listeners still have certificates that expire.
		MinVersion: tls.VersionTLS10,
		// Nothing secret crosses this connection, so the post-quantum
		// hybrid key exchange (Go's default first choice) would only add
		// a key generation to every handshake of every run. P-256 first:
		// every server has it, and Go's is the fastest of the three.
		CurvePreferences: []tls.CurveID{tls.CurveP256, tls.X25519, tls.CurveP384},
	}
	if ep.ServerName != "" && net.ParseIP(ep.ServerName) == nil {
		cfg.ServerName = ep.ServerName
	}
	if opts.ClientCert != nil {
		cert := opts.ClientCert
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, t.Fail(ctx, err)
	}
	res.Handshake = t.Elapsed()
	state := tc.ConnectionState()
	res.Certificates = state.PeerCertificates
	res.Version = state.Version
	res.CipherSuite = state.CipherSuite
	if len(res.Certificates) == 0 {
		return nil, t.Fail(ctx, errors.New("the server presented no certificate"))
	}
	return res, nil
}
