package certchain

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
)

// Verifier verifies the certificates endpoints present. Its anchors come
// in tiers, each wider and dearer than the one before, and a chain moves
// to the next tier whenever the one before does not verify it (an unknown
// issuer, or an expired cross-sign among the extra anchors where the
// system's own root would do), and the first chain verified wins: the extra
// anchors alone (--ca-file, a private CA: no system file is read), then
// the system bundle, then the certificate directories. A tier reads from
// the system store only the anchors that can end the chains it has been
// asked about, and reads the store again only for a chain whose issuers it
// has not looked up yet; x509.SystemCertPool would parse the whole store
// on every run.
//
// Each distinct chain is verified once per name: the nodes behind a name,
// or the names behind one wildcard certificate, present the same chain,
// and verifying it is most of the work of judging one. A Verifier is safe
// for concurrent use; it is meant for one run, as it remembers every
// verdict.
type Verifier struct {
	noVerify bool
	damaged  error // --ca-file's blocks that could not be read
	now      time.Time
	tiers    []*tier

	mu   sync.Mutex
	done map[string]*verification
}

type verification struct {
	ready  chan struct{}
	served Served
}

var errUnfinished = errors.New("verification did not finish")

// NewVerifier returns a verifier trusting trust's extra anchors and the
// system's (trust may be nil). Chains are verified at now, or at the time
// of each verification when now is zero. With noVerify, the certificates
// as presented decide and nothing is verified.
func NewVerifier(trust *Trust, now time.Time, noVerify bool) *Verifier {
	v := &Verifier{noVerify: noVerify, now: now, done: map[string]*verification{}}
	if trust != nil && trust.Damaged != nil {
		v.damaged = fmt.Errorf("--ca-file %w", trust.Damaged)
	}
	if trust != nil && len(trust.Extra) > 0 {
		v.tiers = append(v.tiers, &tier{fixed: trust.ExtraPool()})
	}
	v.tiers = append(v.tiers,
		&tier{build: func(p ...[]*x509.Certificate) (*x509.CertPool, error) { return trust.LoadPool(false, p...) }, looked: map[string]bool{}},
		&tier{build: func(p ...[]*x509.Certificate) (*x509.CertPool, error) { return trust.LoadPool(true, p...) }, looked: map[string]bool{}})
	return v
}

// Verify decides which of the presented certificates (leaf first) matter
// for an endpoint reached as name; see Select.
func (v *Verifier) Verify(presented []*x509.Certificate, name string) Served {
	var key strings.Builder
	key.WriteString(name)
	for _, x := range presented {
		key.WriteByte(0)
		key.Write(x.Raw)
	}
	v.mu.Lock()
	if w, ok := v.done[key.String()]; ok {
		v.mu.Unlock()
		<-w.ready
		return w.served
	}
	// A failure until the work is done: if it panics, the callers waiting
	// on the same chain must not read the zero Served as verified.
	w := &verification{ready: make(chan struct{}), served: Served{VerifyErr: errUnfinished}}
	v.done[key.String()] = w
	v.mu.Unlock()
	defer close(w.ready)

	now := v.now
	if now.IsZero() {
		now = time.Now()
	}
	policy := Policy{Name: name, Now: now, NoVerify: v.noVerify}
	if v.noVerify {
		w.served = Select(presented, policy)
		return w.served
	}
	// When no tier verifies the chain, the failure reported is the first
	// that says more than "unknown authority": an expired anchor in
	// --ca-file, say, or the system store that could not be read.
	for i, t := range v.tiers {
		roots, storeErr := t.pool(presented)
		policy.Roots = roots
		s := Select(presented, policy)
		if s.VerifyErr != nil && storeErr != nil && plainUnknown(s.VerifyErr) {
			s.VerifyErr = &storeFailure{err: s.VerifyErr, store: storeErr}
		}
		if i == 0 || plainUnknown(w.served.VerifyErr) && !plainUnknown(s.VerifyErr) {
			w.served = s
		}
		if !retry(s, presented) {
			w.served = s
			break
		}
	}
	if v.damaged != nil && plainUnknown(w.served.VerifyErr) {
		w.served.VerifyErr = &storeFailure{err: w.served.VerifyErr, store: v.damaged}
	}
	return w.served
}

// retry reports whether a wider tier of anchors might verify what s
// failed on: not when a chain verified (a wrong name stays wrong), nor
// when a certificate the server sent has expired.
func retry(s Served, presented []*x509.Certificate) bool {
	var host x509.HostnameError
	switch {
	case s.VerifyErr == nil, errors.As(s.VerifyErr, &host):
		return false
	}
	judged := make([]Cert, len(presented))
	for i, c := range presented {
		judged[i] = Cert{Certificate: c}
	}
	return !ExpiryFailure(s.VerifyErr, judged)
}

// plainUnknown reports an unknown authority with nothing more known:
// no candidate issuer, no store error.
func plainUnknown(err error) bool {
	var unknown x509.UnknownAuthorityError
	var failure *storeFailure
	if !errors.As(err, &unknown) || errors.As(err, &failure) {
		return false
	}
	_, _, hinted := goHint(unknown)
	return !hinted
}

// storeFailure is a chain left untrusted while part of the anchors (the
// system store, a *StoreError, or --ca-file's damaged blocks) could not be
// read: the anchor it needs may be in the part not read.
type storeFailure struct {
	err   error
	store error
}

func (e *storeFailure) Error() string { return e.err.Error() + "; " + e.store.Error() }

func (e *storeFailure) Unwrap() []error { return []error{e.err, e.store} }

// VerifyConnection verifies a handshake's certificates for the server
// name the client sent. That name is empty when the client dialed an IP
// literal (crypto/tls sends no SNI for one), and with ECH it may be the
// public name rather than the one dialed, so VerifyConnection refuses an
// empty name instead of skipping the name check; use VerifyConnectionFor,
// which is told the name, wherever the client may dial an address.
//
// The handshake runs on whatever goroutine the client chose (net/http's
// own), so a panic here is reported to goroutine's handler and fails the
// handshake.
func (v *Verifier) VerifyConnection(cs tls.ConnectionState) (err error) {
	err = errUnfinished
	defer goroutine.Recover()
	return v.verifyConnection(cs, cs.ServerName)
}

// VerifyConnectionFor returns a tls.Config.VerifyConnection that verifies
// a handshake's certificates for name, the host the client dialed: a DNS
// name, or an IP literal ("127.0.0.1", "::1", "[::1]") checked against the
// certificate's IP addresses as crypto/tls would. With InsecureSkipVerify
// set, it gives a *tls.Config this verifier's trust store instead of
// x509.SystemCertPool.
//
// The name belongs to one connection, so the config does too. With
// net/http, make it where the address is known, in the Transport's
// DialTLSContext (addr is the URL's host and port, before any connect
// override the dialer applies):
//
//	DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
//		host, _, err := net.SplitHostPort(addr)
//		...
//		raw, err := dialer.DialContext(ctx, network, addr)
//		...
//		cfg := base.Clone()
//		if net.ParseIP(host) == nil {
//			cfg.ServerName = host
//		}
//		cfg.InsecureSkipVerify = true
//		cfg.VerifyConnection = v.VerifyConnectionFor(host)
//		conn := tls.Client(raw, cfg)
//		if err := conn.HandshakeContext(ctx); err != nil {
//			raw.Close()
//			return nil, err
//		}
//		return conn, nil
//	}
//
// net/http does not call DialTLSContext for an HTTPS request through an
// HTTP proxy: it handshakes over the tunnel with TLSClientConfig, which
// can name the host only in a Transport made for that one host.
func (v *Verifier) VerifyConnectionFor(name string) func(tls.ConnectionState) error {
	if len(name) > 2 && name[0] == '[' && name[len(name)-1] == ']' {
		name = name[1 : len(name)-1]
	}
	if a, err := netip.ParseAddr(name); err == nil {
		name = a.WithZone("").String() // a certificate names no zone
	}
	return func(cs tls.ConnectionState) (err error) {
		err = errUnfinished
		defer goroutine.Recover()
		return v.verifyConnection(cs, name)
	}
}

func (v *Verifier) verifyConnection(cs tls.ConnectionState, name string) error {
	if name == "" {
		return errors.New("no server name to verify the certificate for (a client sends none for an IP address)")
	}
	return v.Verify(cs.PeerCertificates, name).VerifyErr
}

// tier is one set of anchors, built as chains need it.
type tier struct {
	fixed *x509.CertPool
	build func(presented ...[]*x509.Certificate) (*x509.CertPool, error)

	mu      sync.Mutex
	current *x509.CertPool
	err     error           // what of the store could not be read
	looked  map[string]bool // issuers the store was searched for
	asked   [][]*x509.Certificate
}

// pool returns anchors that can end presented. A pool, once returned, is
// never changed: a chain with new issuers gets a new one, so verifications
// in progress never see a pool being written.
func (t *tier) pool(presented []*x509.Certificate) (*x509.CertPool, *StoreError) {
	if t.fixed != nil {
		return t.fixed, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fresh := t.current == nil
	for _, c := range presented {
		if !t.looked[string(c.RawIssuer)] {
			fresh = true
			t.looked[string(c.RawIssuer)] = true
		}
	}
	if fresh {
		t.asked = append(t.asked, presented)
		t.current, t.err = t.build(t.asked...)
	}
	var store *StoreError
	if errors.As(t.err, &store) {
		return t.current, store
	}
	return t.current, nil
}
