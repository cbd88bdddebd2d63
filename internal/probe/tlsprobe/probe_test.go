package tlsprobe

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func endpoint(t *testing.T, addr, proto string) Endpoint {
	t.Helper()
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return Endpoint{Addr: ap, ServerName: "localhost", StartTLS: proto}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// phaseError asserts that err is a *inflight.Error of the phase.
func phaseError(t *testing.T, err error, name string) *inflight.Error {
	t.Helper()
	var pe *inflight.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a phase error", err, err)
	}
	if pe.Phase != name {
		t.Errorf("phase %q, want %q (error: %v)", pe.Phase, name, err)
	}
	return pe
}

func TestStartTLSProtocols(t *testing.T) {
	got := StartTLSProtocols()
	want := []string{"ftp", "imap", "ldap", "mysql", "pop3", "postgres", "smtp"}
	if !slices.Equal(got, want) {
		t.Errorf("StartTLSProtocols() = %q, want %q", got, want)
	}
}

func TestProbe(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30)
	chain := []*fixture.Cert{leaf, p.Intermediate}
	for _, proto := range append([]string{""}, StartTLSProtocols()...) {
		name := proto
		if name == "" {
			name = "implicit TLS"
		}
		t.Run(name, func(t *testing.T) {
			srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: chain, StartTLS: proto})
			res, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, srv.Addr, proto), Options{})
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if len(res.Certificates) != 2 || !res.Certificates[0].Equal(leaf.Certificate) || !res.Certificates[1].Equal(p.Intermediate.Certificate) {
				t.Errorf("Probe returned %d certificates, want the leaf and the intermediate as served", len(res.Certificates))
			}
			if res.Version != tls.VersionTLS13 {
				t.Errorf("Version = %s, want TLS 1.3", tls.VersionName(res.Version))
			}
			if proto == "" && res.StartTLS != 0 {
				t.Errorf("StartTLS took %v without STARTTLS", res.StartTLS)
			}
		})
	}
}

func TestProbeRefused(t *testing.T) {
	p := testutil.NewPKI(t)
	chain := []*fixture.Cert{testutil.Leaf(t, p, 30), p.Intermediate}
	for _, tc := range []struct {
		proto, want string
	}{
		{"smtp", "smtp: server does not offer STARTTLS in its EHLO reply"},
		{"imap", `imap: STARTTLS: server replied "a1 NO STARTTLS unavailable", want a1 OK`},
		{"pop3", `pop3: STLS: server replied "-ERR STLS unavailable", want +OK`},
		{"ftp", `ftp: AUTH TLS: server replied "534 TLS not available", want 234`},
		{"postgres", "postgres: server refused SSL (ssl = off)"},
		{"ldap", `ldap: server refused StartTLS: resultCode 2 ""`},
		{"mysql", "mysql: server does not support SSL (have_ssl = DISABLED)"},
	} {
		t.Run(tc.proto, func(t *testing.T) {
			srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: chain, StartTLS: tc.proto, RefuseStartTLS: true})
			res, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, srv.Addr, tc.proto), Options{})
			if err == nil {
				t.Fatalf("Probe = %d certificates, want the refusal", len(res.Certificates))
			}
			pe := phaseError(t, err, inflight.StartTLS)
			if pe.TimedOut || pe.Stopped {
				t.Errorf("a refusal is neither a timeout nor a stop: %+v", pe)
			}
			if want := "starttls " + srv.Addr + ": " + tc.want; err.Error() != want {
				t.Errorf("error:\n got %q\nwant %q", err, want)
			}
		})
	}
}

// Whatever the peer does, the probe ends with the run's deadline and names
// the phase it was in.
func TestProbeStalled(t *testing.T) {
	addr := testutil.ServeStall(t)
	for _, proto := range append([]string{""}, StartTLSProtocols()...) {
		want := inflight.StartTLS
		if proto == "" {
			want = inflight.TLS
		}
		t.Run(want+" "+proto, func(t *testing.T) {
			start := time.Now()
			_, err := Probe(ctxTimeout(t, 200*time.Millisecond), endpoint(t, addr, proto), Options{})
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("Probe returned after %v with a 200ms deadline", elapsed)
			}
			pe := phaseError(t, err, want)
			if !pe.TimedOut || pe.Stopped {
				t.Errorf("TimedOut, Stopped = %v, %v; want true, false", pe.TimedOut, pe.Stopped)
			}
			// The time it says is the machine's to decide: a loaded one
			// wakes the probe late.
			if !strings.HasPrefix(err.Error(), want+" "+addr+": timed out after ") {
				t.Errorf("error %q, want %q...", err, want+" "+addr+": timed out after ")
			}
		})
	}
}

func TestProbeCancelled(t *testing.T) {
	addr := testutil.ServeStall(t)
	terminated, terminate := context.WithCancelCause(context.Background())
	ctx, cancel := context.WithTimeout(terminated, time.Minute)
	defer cancel()
	time.AfterFunc(100*time.Millisecond, func() { terminate(inflight.ErrTerminated) })
	start := time.Now()
	_, err := Probe(ctx, endpoint(t, addr, "smtp"), Options{})
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Probe returned %v after the cancel", elapsed)
	}
	if pe := phaseError(t, err, inflight.StartTLS); !pe.Stopped || pe.TimedOut {
		t.Errorf("TimedOut, Stopped = %v, %v; want false, true", pe.TimedOut, pe.Stopped)
	}
}

func TestProbeConnectionRefused(t *testing.T) {
	addr := testutil.ClosedAddr(t)
	_, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, addr, ""), Options{})
	pe := phaseError(t, err, inflight.Connect)
	if pe.TimedOut {
		t.Errorf("a refused connection is not a timeout")
	}
	if want := "connect " + addr + ": connection refused"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestProbeUnknownStartTLS(t *testing.T) {
	_, err := Probe(context.Background(), endpoint(t, "127.0.0.1:1", "gopher"), Options{})
	want := `unknown STARTTLS protocol "gopher": use one of ftp, imap, ldap, mysql, pop3, postgres, smtp`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestProbeTLS12(t *testing.T) {
	p := testutil.NewPKI(t)
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, p, 30)}, MaxVersion: tls.VersionTLS12})
	res, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, srv.Addr, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != tls.VersionTLS12 {
		t.Errorf("Version = %s, want TLS 1.2", tls.VersionName(res.Version))
	}
}

func TestProbeIPv6(t *testing.T) {
	testutil.RequireIPv6(t)
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30)
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Addr: "[::1]:0", Chain: []*fixture.Cert{leaf}})
	ep := endpoint(t, srv.Addr, "")
	ep.ServerName = "::1" // an IP literal: no SNI
	res, err := Probe(ctxTimeout(t, 10*time.Second), ep, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Certificates[0].Equal(leaf.Certificate) {
		t.Errorf("Probe over IPv6 returned %s", res.Certificates[0].Subject)
	}
}

func TestProbeClientCertificate(t *testing.T) {
	p := testutil.NewPKI(t)
	client := testutil.NewCert(t, fixture.CertOptions{CN: "monitoring", Issuer: p.Intermediate})
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(p.Intermediate.Certificate)
	// TLS 1.2: the server refuses a missing client certificate within the
	// handshake, not after it.
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, p, 30)}, ClientCAs: clientCAs, MaxVersion: tls.VersionTLS12})

	cert := fixture.TLSCertificate(client, p.Intermediate)
	if _, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, srv.Addr, ""), Options{ClientCert: &cert}); err != nil {
		t.Errorf("Probe with a client certificate: %v", err)
	}
	_, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, srv.Addr, ""), Options{})
	if err == nil {
		t.Fatalf("Probe without a client certificate succeeded against a server that requires one")
	}
	phaseError(t, err, inflight.TLS)
}
func TestProbeLegacyCipherSuites(t *testing.T) {
	p := testutil.NewPKI(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "legacy", Issuer: p.Intermediate, Key: key})
	for _, suite := range []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256} {
		t.Run(tls.CipherSuiteName(suite), func(t *testing.T) {
			srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{leaf}, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}})
			res, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, srv.Addr, ""), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.CipherSuite != suite || !res.Certificates[0].Equal(leaf.Certificate) {
				t.Errorf("Probe negotiated %s and returned %s", tls.CipherSuiteName(res.CipherSuite), res.Certificates[0].Subject)
			}
		})
	}
}

// A handshake that fails after the certificates arrived keeps them.
func TestProbeKeepsCertificates(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30)
	decoy := testutil.NewCert(t, fixture.CertOptions{CN: "decoy"})
	for _, version := range []uint16{tls.VersionTLS12, 0} {
		srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{leaf, p.Intermediate}, MaxVersion: version, SigningKey: decoy.Key})
		res, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, srv.Addr, ""), Options{})
		if err == nil {
			t.Fatalf("Probe succeeded against a server signing with another key")
		}
		phaseError(t, err, inflight.TLS)
		if res == nil || len(res.Certificates) != 2 || !res.Certificates[0].Equal(leaf.Certificate) {
			t.Errorf("max version %x: Probe returned %+v with %v, want the certificates sent alongside the error", version, res, err)
		}
	}
	// Nothing arrived: no result.
	res, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, testutil.ClosedAddr(t), ""), Options{})
	if err == nil || res != nil {
		t.Errorf("Probe of a closed port = %+v, %v; want no result and an error", res, err)
	}
}

// An alert from the server reads as the server refusing us.
func TestProbeServerAlert(t *testing.T) {
	p := testutil.NewPKI(t)
	other := testutil.NewPKI(t)
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(p.Intermediate.Certificate)
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, p, 30)}, ClientCAs: clientCAs, MaxVersion: tls.VersionTLS12})
	stranger := fixture.TLSCertificate(testutil.NewCert(t, fixture.CertOptions{CN: "monitoring", Issuer: other.Intermediate}), other.Intermediate)
	for _, tc := range []struct {
		name string
		cert *tls.Certificate
		want string
	}{
		{"client certificate from an unknown CA", &stranger, "the server refused the handshake: unknown certificate authority (it did not accept the client certificate it was given)"},
		{"no client certificate", nil, "the server refused the handshake: handshake failure (no cipher suite in common, or it requires a client certificate)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Probe(ctxTimeout(t, 10*time.Second), endpoint(t, srv.Addr, ""), Options{ClientCert: tc.cert})
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("Probe error %v, want a *RefusedError", err)
			}
			if got := inflight.Cause(phaseError(t, err, inflight.TLS).Err); got != tc.want {
				t.Errorf("cause %q, want %q", got, tc.want)
			}
			if res == nil || len(res.Certificates) == 0 {
				t.Errorf("Probe lost the server's certificates")
			}
		})
	}
}
