package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// run runs the built check-tls-expiry.
func run(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, testutil.Binary(t, "check-tls-expiry"), nil, args...)
}

// env is a PKI with its root written where --ca-file can read it.
type env struct {
	pki    *fixture.PKI
	caFile string
}

func newEnv(t *testing.T) env {
	t.Helper()
	p := testutil.NewPKI(t)
	return env{pki: p, caFile: testutil.WriteFile(t, "ca.pem", fixture.PEM(p.Root))}
}

// serve serves a leaf expiring in days under the env's intermediate.
func (e env) serve(t *testing.T, days float64, names ...string) string {
	t.Helper()
	return testutil.ServeChain(t, testutil.Leaf(t, e.pki, days, names...), e.pki.Intermediate)
}

func TestExpiryByDays(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		days float64
		args []string
		code int
		want []string
	}{
		{"ok", 60.5, nil, 0, []string{"TLS OK: 1 target, earliest expiry in 60 days (127.0.0.1:", " leaf, "}},
		{"warning", 21.5, nil, 1, []string{"TLS WARNING: 127.0.0.1:", " leaf CN=localhost (issuer Test Intermediate) expires in 21 days (", "), warning below 30 days"}},
		{"critical", 5.5, nil, 2, []string{"TLS CRITICAL: 127.0.0.1:", "expires in 5 days", "critical below 14 days"}},
		{"under two days has a decimal", 1.65, nil, 2, []string{"expires in 1.6 days"}},
		{"fractional days threshold", 1.65, []string{"-w", "3", "-c", "0.5"}, 1, []string{"TLS WARNING:", "warning below 3 days"}},
		{"duration thresholds", 1.65, []string{"-w", "3d", "-c", "48h"}, 2, []string{"TLS CRITICAL:", "critical below 48h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := e.serve(t, tc.days)
			args := append([]string{"-H", addr, "--ca-file", e.caFile}, tc.args...)
			run(t, args...).Expect(t, tc.code, tc.want...)
		})
	}
}

// A 90-day certificate judged by the share of its lifetime left.
func TestPercentOfLifetime(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		left float64
		code int
		want string
	}{
		{60.5, 0, "TLS OK: 1 target, earliest expiry in 60 days"},
		{10.5, 1, "expires in 10 days (%s), 11% of its lifetime left, warning below 20%"},
		{3.5, 2, "expires in 3 days (%s), 3% of its lifetime left, critical below 5%"},
	} {
		leaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: e.pki.Intermediate,
			NotBefore: fixture.InDays(tc.left - 90), NotAfter: fixture.InDays(tc.left)})
		addr := testutil.ServeChain(t, leaf, e.pki.Intermediate)
		want := strings.Replace(tc.want, "%s", leaf.NotAfter.UTC().Format(time.RFC3339), 1)
		run(t, "-H", addr, "--ca-file", e.caFile, "-w", "20%", "-c", "5%").Expect(t, tc.code, want)
	}
	// Days and percent mixed: whichever is breached first.
	addr := e.serve(t, 10.5)
	run(t, "-H", addr, "--ca-file", e.caFile, "-w", "20%", "-c", "7").Expect(t, 0, "TLS OK:")
}

func TestExpiringIntermediateIsNamed(t *testing.T) {
	root := testutil.NewCert(t, fixture.CertOptions{CN: "Short Root", IsCA: true, NotAfter: fixture.InDays(3650)})
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "R11", IsCA: true, Issuer: root, NotAfter: fixture.InDays(3.5)})
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: inter, NotAfter: fixture.InDays(80)})
	addr := testutil.ServeChain(t, leaf, inter)
	ca := testutil.WriteFile(t, "ca.pem", fixture.PEM(root))

	first := run(t, "-H", addr, "--ca-file", ca).Expect(t, 2)
	if !regexp.MustCompile(`^TLS CRITICAL: 127\.0\.0\.1:\d+ intermediate CN=R11 \(issuer Short Root\) expires in 3 days \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\), critical below 14 days$`).MatchString(first) {
		t.Errorf("first line does not name the intermediate: %q", first)
	}
}

func TestExpiredAndNotYetValid(t *testing.T) {
	e := newEnv(t)
	expired := e.serve(t, -2.5)
	res := run(t, "-H", expired, "--ca-file", e.caFile)
	first := res.Expect(t, 2, "leaf CN=localhost (issuer Test Intermediate) expired 2 days ago (")
	if strings.Contains(first, "verification failed") {
		t.Errorf("an expired certificate needs no second reason: %q", first)
	}

	future := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)},
		Issuer: e.pki.Intermediate, NotBefore: fixture.InDays(3), NotAfter: fixture.InDays(90)})
	addr := testutil.ServeChain(t, future, e.pki.Intermediate)
	run(t, "-H", addr, "--ca-file", e.caFile).Expect(t, 2, "is not valid until ", "(in 2 days)")
	run(t, "-H", addr, "--no-verify").Expect(t, 2, "is not valid until ")
}

func TestVerificationFailureKeepsDaysLeft(t *testing.T) {
	e := newEnv(t)
	t.Run("untrusted", func(t *testing.T) {
		addr := e.serve(t, 40.5)
		run(t, "-H", addr).Expect(t, 2,
			"TLS CRITICAL: 127.0.0.1:", "verification failed: no chain to a trusted root", "--ca-file",
			"leaf CN=localhost (issuer Test Intermediate) expires in 40 days")
	})
	t.Run("missing intermediate", func(t *testing.T) {
		addr := testutil.ServeChain(t, testutil.Leaf(t, e.pki, 40.5))
		run(t, "-H", addr, "--ca-file", e.caFile).Expect(t, 2, "no chain to a trusted root", "expires in 40 days")
	})
	t.Run("hostname mismatch", func(t *testing.T) {
		addr := e.serve(t, 40.5, "www.example.test")
		run(t, "-H", addr, "--ca-file", e.caFile, "--sni", "api.example.test").Expect(t, 2,
			"verification failed: hostname mismatch: certificate is valid for localhost, www.example.test, not api.example.test",
			"expires in 40 days")
	})
	t.Run("no-verify accepts", func(t *testing.T) {
		addr := e.serve(t, 40.5)
		run(t, "-H", addr, "--no-verify", "--sni", "whatever.test").Expect(t, 0, "TLS OK: 1 target, earliest expiry in 40 days")
		run(t, "-H", addr, "--no-check-certificate").Expect(t, 0, "TLS OK:")
	})
}

// The chain a modern client builds ends at the new root; the cross-sign
// of the new root by an old one, still sent by the server, expires soon.
// Only the longest-lasting verified chain decides, so this is OK.
func TestUnneededCrossSignDoesNotAlert(t *testing.T) {
	oldRoot := testutil.NewCert(t, fixture.CertOptions{CN: "Old Root", IsCA: true, NotAfter: fixture.InDays(365)})
	newRoot := testutil.NewCert(t, fixture.CertOptions{CN: "New Root", IsCA: true, NotAfter: fixture.InDays(3650)})
	subject := newRoot.Subject
	cross := testutil.NewCert(t, fixture.CertOptions{Subject: &subject, Key: newRoot.Key, IsCA: true, Issuer: oldRoot, NotAfter: fixture.InDays(4.5)})
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "Issuing CA", IsCA: true, Issuer: newRoot, NotAfter: fixture.InDays(1000)})
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: inter, NotAfter: fixture.InDays(70.5)})
	addr := testutil.ServeChain(t, leaf, inter, cross)
	ca := testutil.WriteFile(t, "roots.pem", fixture.PEM(oldRoot, newRoot))

	run(t, "-H", addr, "--ca-file", ca).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 70 days")
	run(t, "-H", addr, "--ca-file", ca, "-v").Expect(t, 0, "not on the verified chain, not judged: intermediate CN=New Root (issuer Old Root)")
	// Trusting only the old root, the cross-sign is needed and decides.
	oldOnly := testutil.WriteFile(t, "old.pem", fixture.PEM(oldRoot))
	run(t, "-H", addr, "--ca-file", oldOnly).Expect(t, 2, "intermediate CN=New Root (issuer Old Root) expires in 4 days")
	// Without verification the presented certificates decide.
	run(t, "-H", addr, "--no-verify").Expect(t, 2, "CN=New Root (issuer Old Root) expires in 4 days")
}

func TestStalledHandshakeEndsInTime(t *testing.T) {
	addr := testutil.ServeStall(t)
	res := run(t, "-H", addr, "-t", "2")
	res.ExpectMatch(t, 2, "^TLS CRITICAL: "+testutil.DeadlineEnded(addr, "tls", addr)+"\n$")
	res.ExpectEndedBy(t, 2*time.Second)
	// A STARTTLS server that never greets stalls in the starttls phase.
	res = run(t, "-u", "smtp://"+addr, "-t", "1.5")
	res.ExpectMatch(t, 2, "^TLS CRITICAL: "+testutil.DeadlineEnded("smtp://"+addr, "starttls", addr)+"\n$")
	res.ExpectEndedBy(t, 1500*time.Millisecond)
}

// The agent sends SIGTERM when its timeout_seconds runs out and uses what
// the plugin prints in the grace period after it; a user at a terminal
// sends SIGINT, a closed session SIGHUP. Each ends the run at once with a
// verdict naming the phase in progress.
func TestSignalReportsThePhase(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			addr := testutil.ServeStall(t)
			cmd := exec.Command(testutil.Binary(t, "check-tls-expiry"), "-H", addr, "-t", "60")
			var out strings.Builder
			cmd.Stdout = &out
			started := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			sent := testutil.Interrupt(t, cmd, started, sig, nil)
			cmd.Wait()
			// The run has 60 s; ending well before says the signal ended it.
			if elapsed := time.Since(sent); elapsed > testutil.Starved(time.Second) {
				t.Errorf("took %s after the signal", elapsed)
			}
			if code := cmd.ProcessState.ExitCode(); code != 2 {
				t.Errorf("exit %d, want 2: %s", code, out.String())
			}
			if want := "TLS CRITICAL: " + addr + ": tls: stopped after "; !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "(the check was terminated)") {
				t.Errorf("got %q, want prefix %q, saying the check was terminated", out.String(), want)
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	addr := testutil.ClosedAddr(t)
	run(t, "-H", addr).Expect(t, 2, "TLS CRITICAL: "+addr+": connect: connection refused")
}

func TestStartTLS(t *testing.T) {
	e := newEnv(t)
	leaf := testutil.Leaf(t, e.pki, 50.5)
	for _, proto := range []string{"smtp", "imap", "pop3", "ftp", "postgres", "ldap", "mysql"} {
		t.Run(proto, func(t *testing.T) {
			ok := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{leaf, e.pki.Intermediate}, StartTLS: proto})
			run(t, "-u", proto+"://"+ok.Addr, "--ca-file", e.caFile).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 50 days ("+proto+"://"+ok.Addr+" leaf")
			run(t, "-H", ok.Addr, "--starttls", proto, "--ca-file", e.caFile).Expect(t, 0, "TLS OK:", ok.Addr+" ("+proto+" starttls) leaf")

			refusing := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{leaf, e.pki.Intermediate}, StartTLS: proto, RefuseStartTLS: true})
			run(t, "-u", proto+"://"+refusing.Addr).Expect(t, 2, "TLS CRITICAL: "+proto+"://"+refusing.Addr+": starttls: "+proto+": ")
		})
	}
}

func TestImplicitTLSSchemes(t *testing.T) {
	e := newEnv(t)
	addr := e.serve(t, 50.5)
	for _, scheme := range []string{"https", "tls", "smtps", "imaps", "pop3s", "ldaps", "ftps"} {
		run(t, scheme+"://"+addr, "--ca-file", e.caFile).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 50 days")
	}
}

func TestFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	root := testutil.NewCert(t, fixture.CertOptions{CN: "File Root", IsCA: true, NotAfter: fixture.InDays(3650)})
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "R11", IsCA: true, Issuer: root, NotAfter: fixture.InDays(5.5)})
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "www.example.test", Issuer: inter, NotAfter: fixture.InDays(80.5)})

	t.Run("fullchain judges every certificate", func(t *testing.T) {
		path := write("fullchain.pem", append(fixture.PEM(leaf, inter), leaf.KeyPEM()...))
		run(t, "-f", path).Expect(t, 2, "TLS CRITICAL: "+path+" intermediate CN=R11 (issuer File Root) expires in 5 days")
	})
	t.Run("other non-OK certificates get their own line", func(t *testing.T) {
		soon := testutil.NewCert(t, fixture.CertOptions{CN: "soon.example.test", Issuer: inter, NotAfter: fixture.InDays(20.5)})
		path := write("two.pem", fixture.PEM(soon, inter, root))
		res := run(t, "-f", path)
		res.Expect(t, 2, "TLS CRITICAL: "+path+" intermediate CN=R11", "\nTLS WARNING: "+path+" leaf CN=soon.example.test (issuer R11) expires in 20 days")
	})
	t.Run("der", func(t *testing.T) {
		path := write("leaf.der", leaf.Raw)
		run(t, "-f", path).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 80 days ("+path+" leaf, ")
	})
	t.Run("root by itself", func(t *testing.T) {
		path := write("root.crt", fixture.PEM(root))
		run(t, "-f", path, "-v").Expect(t, 0, "root CN=File Root (self-signed) expires in 3649 days")
	})
	t.Run("garbage", func(t *testing.T) {
		path := write("garbage.pem", []byte("this is not a certificate\x00\x01\x02"))
		res := run(t, "-f", path)
		res.Expect(t, 3, "TLS UNKNOWN: "+path+": not a PEM or DER certificate")
		if strings.Contains(res.Stdout+res.Stderr, "goroutine") {
			t.Errorf("stack trace printed:\n%s%s", res.Stdout, res.Stderr)
		}
	})
	t.Run("broken PEM block", func(t *testing.T) {
		path := write("broken.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
		run(t, "-f", path).Expect(t, 3, "TLS UNKNOWN: "+path+": PEM block 1 is not a valid certificate")
	})
	t.Run("key only", func(t *testing.T) {
		path := write("key.pem", leaf.KeyPEM())
		run(t, "-f", path).Expect(t, 3, "TLS UNKNOWN: "+path+": no certificate in it")
	})
	t.Run("missing", func(t *testing.T) {
		run(t, "-f", filepath.Join(dir, "nope.pem")).Expect(t, 3, "TLS UNKNOWN: cannot read "+filepath.Join(dir, "nope.pem")+": no such file or directory")
	})
	t.Run("glob", func(t *testing.T) {
		gdir := t.TempDir()
		for i, days := range []float64{90.5, 45.5, 200.5} {
			c := testutil.NewCert(t, fixture.CertOptions{CN: fmt.Sprintf("g%d", i), Issuer: e.pki.Intermediate, NotAfter: fixture.InDays(days)})
			os.WriteFile(filepath.Join(gdir, fmt.Sprintf("g%d.pem", i)), fixture.PEM(c), 0o600)
		}
		run(t, "-f", filepath.Join(gdir, "*.pem")).Expect(t, 0, "TLS OK: 3 targets, earliest expiry in 45 days ("+filepath.Join(gdir, "g1.pem")+" leaf, ")
	})
	t.Run("glob matching nothing", func(t *testing.T) {
		pattern := filepath.Join(dir, "*.nothing")
		run(t, "-f", pattern).Expect(t, 3, "TLS UNKNOWN: "+pattern+" matches no file")
	})
}

func TestSeveralTargetsInCommandLineOrder(t *testing.T) {
	e := newEnv(t)
	a, b, c := e.serve(t, 100.5), e.serve(t, 60.5), e.serve(t, 80.5)
	for i := 0; i < 3; i++ {
		run(t, "-H", a, "-H", b, "-u", "https://"+c, "--ca-file", e.caFile).
			Expect(t, 0, "TLS OK: 3 targets, earliest expiry in 60 days ("+b+" leaf, ")
	}

	warn1, crit, warn2 := e.serve(t, 20.5), e.serve(t, 3.5), e.serve(t, 25.5)
	dead := testutil.ClosedAddr(t)
	res := run(t, "-H", warn1, "-H", a, "-H", crit, "-H", warn2, "-H", dead, "--ca-file", e.caFile)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	want := []string{
		"TLS CRITICAL: " + crit + " leaf",
		"TLS CRITICAL: " + dead + ": connect",
		"TLS WARNING: " + warn1 + " leaf",
		"TLS WARNING: " + warn2 + " leaf",
		"OK: 1 more target",
	}
	if res.Code != 2 || len(lines) != len(want) {
		t.Fatalf("want %d lines, exit 2:\n%s", len(want), res)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i+1, lines[i], w)
		}
	}
}

func TestManyTargetsStayUnderTheAgentLimit(t *testing.T) {
	e := newEnv(t)
	ok := e.serve(t, 100.5)
	warn := e.serve(t, 20.5)
	args := []string{"--ca-file", e.caFile}
	for i := 0; i < 30; i++ {
		args = append(args, "-H", warn, "-H", ok)
	}
	res := run(t, args...)
	res.Expect(t, 1, "TLS WARNING: ", "... and ")
	if n := utf8.RuneCountInString(res.Stdout); n >= 1000 {
		t.Errorf("message is %d runes, want under 1000", n)
	}
	if !regexp.MustCompile(`\.\.\. and \d+ more \(\d+ WARNING, 30 OK\)\n$`).MatchString(res.Stdout) {
		t.Errorf("tail does not count what was left out:\n%s", res.Stdout)
	}
}

func TestMutualTLS(t *testing.T) {
	e := newEnv(t)
	clientCA := testutil.NewCert(t, fixture.CertOptions{CN: "Client CA", IsCA: true})
	client := testutil.NewCert(t, fixture.CertOptions{CN: "monitor", Issuer: clientCA})
	pool := x509.NewCertPool()
	pool.AddCert(clientCA.Certificate)
	chain := []*fixture.Cert{testutil.Leaf(t, e.pki, 50.5), e.pki.Intermediate}
	// TLS 1.2 refuses the handshake without a client certificate.
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: chain, ClientCAs: pool, MaxVersion: tls.VersionTLS12})
	run(t, "-H", srv.Addr, "--ca-file", e.caFile).Expect(t, 2, "TLS CRITICAL: "+srv.Addr+": tls: ")
	// TLS 1.3 sends the server's certificate before asking for the
	// client's, so its expiry is known even without one.
	srv13 := testutil.ServeTLS(t, fixture.TLSOptions{Chain: chain, ClientCAs: pool})
	run(t, "-H", srv13.Addr, "--ca-file", e.caFile).Expect(t, 0, "TLS OK:")
	cert := testutil.WriteFile(t, "client.pem", fixture.PEM(client))
	key := testutil.WriteFile(t, "client.key", client.KeyPEM())
	run(t, "-H", srv.Addr, "--ca-file", e.caFile, "--cert-file", cert, "--key-file", key).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 50 days")
}

func TestExpectFile(t *testing.T) {
	e := newEnv(t)
	served := testutil.Leaf(t, e.pki, 20.5)
	addr := testutil.ServeChain(t, served, e.pki.Intermediate)
	renewed := testutil.Leaf(t, e.pki, 89.5)

	newer := testutil.WriteFile(t, "renewed.pem", fixture.PEM(renewed, e.pki.Intermediate))
	res := run(t, "-H", addr, "--ca-file", e.caFile, "--expect-file", newer)
	res.Expect(t, 1, "renewed on disk ("+newer+", NotAfter ", "but the listener still serves the old certificate (NotAfter ", "reload the server",
		"leaf CN=localhost (issuer Test Intermediate) expires in 20 days")

	same := testutil.WriteFile(t, "same.pem", fixture.PEM(served))
	run(t, "-H", addr, "--ca-file", e.caFile, "--expect-file", same, "-w", "10", "-c", "5").Expect(t, 0, "TLS OK:")

	run(t, "-H", addr, "--ca-file", e.caFile, "--expect-file", filepath.Join(t.TempDir(), "gone.pem"), "-w", "10", "-c", "5").
		Expect(t, 3, "TLS UNKNOWN: "+addr+": --expect-file: cannot read ")
}

func TestIPAndSNI(t *testing.T) {
	e := newEnv(t)
	addr := e.serve(t, 50.5, "www.example.test")
	_, port, _ := net.SplitHostPort(addr)
	// The name is never resolved: --ip says where to connect.
	run(t, "-H", "www.example.test:"+port, "--ip", "127.0.0.1", "--ca-file", e.caFile).
		Expect(t, 0, "TLS OK: 1 target, earliest expiry in 50 days (www.example.test:"+port+" leaf, ")
	run(t, "-H", "www.example.test:"+port, "--ip", "127.0.0.1", "--ca-file", e.caFile, "-w", "60").
		Expect(t, 1, "TLS WARNING: www.example.test:"+port+" [127.0.0.1] leaf CN=www.example.test")
	run(t, "-H", "other.example.test:"+port, "--ip", "127.0.0.1", "--ca-file", e.caFile).
		Expect(t, 2, "hostname mismatch", "not other.example.test")
}

func TestIPv6Literal(t *testing.T) {
	testutil.RequireIPv6(t)
	e := newEnv(t)
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Addr: "[::1]:0", Chain: []*fixture.Cert{testutil.Leaf(t, e.pki, 50.5), e.pki.Intermediate}})
	port := fmt.Sprint(srv.Port())
	run(t, "-H", "[::1]:"+port, "--ca-file", e.caFile).Expect(t, 0, "TLS OK: 1 target, earliest expiry in 50 days ([::1]:"+port+" leaf")
	run(t, "-H", "[::1]", "-p", port, "--ca-file", e.caFile, "-6").Expect(t, 0, "TLS OK:")
}

func TestDrillFile(t *testing.T) {
	e := newEnv(t)
	addr := e.serve(t, 60.5)
	dir := t.TempDir()
	drill := filepath.Join(dir, "drill")
	args := []string{"-H", addr, "--ca-file", e.caFile, "--drill-file", drill}

	run(t, args...).Expect(t, 0, "TLS OK: 1 target") // absent: no effect

	os.WriteFile(drill, []byte("Critical game day 3\nsecond line is ignored\n"), 0o600)
	first := run(t, args...).Expect(t, 2)
	want := "TLS CRITICAL: [DRILL] game day 3 (real: OK 1 target, earliest expiry in 60 days (" + addr + " leaf, "
	if !strings.HasPrefix(first, want) {
		t.Errorf("first line %q, want prefix %q", first, want)
	}
	os.WriteFile(drill, []byte("warning"), 0o600)
	run(t, args...).Expect(t, 1, "TLS WARNING: [DRILL] (real: OK ")

	os.WriteFile(drill, []byte("panic now\n"), 0o600)
	run(t, args...).Expect(t, 3, "TLS UNKNOWN: drill file "+drill+` starts with "panic": the first word must be ok, warning, critical or unknown (real: OK`)
	os.WriteFile(drill, nil, 0o600)
	run(t, args...).Expect(t, 3, "TLS UNKNOWN: drill file "+drill+" is empty")
	os.Remove(drill)
	os.Mkdir(drill, 0o700)
	run(t, args...).Expect(t, 3, "TLS UNKNOWN: drill file is unreadable: ")
}

func TestUsageErrors(t *testing.T) {
	ca := testutil.WriteFile(t, "not-ca.pem", []byte("nothing here"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no target: give -H HOST[:PORT]"},
		{[]string{"--bogus"}, "unknown flag --bogus; see check-tls-expiry --help"},
		{[]string{"-H", "a.test", "--", "-f"}, `host "-f" starts with '-': a flag given after "--", or a typo?`},
		{[]string{"-Z"}, "unknown flag -Z"},
		{[]string{"-H"}, "-H, --host needs a value"},
		{[]string{"-H", "a.test", "-w", "soon"}, `invalid value for -w, --warning: "soon" is not a threshold`},
		{[]string{"-H", "a.test", "-c", "-3"}, `-c, --critical, but got option -3`},
		{[]string{"-H", "a.test", "-c=-3"}, `"-3" is not a threshold`},
		{[]string{"-H", "a.test", "-w", "10", "-c", "20"}, "critical threshold 20 days exceeds warning threshold 10 days"},
		{[]string{"-H", "a.test", "-w", "10%", "-c", "20%"}, "critical threshold 20% exceeds warning threshold 10%"},
		{[]string{"-H", "a.test", "-t", "never"}, `"never" is not a duration`},
		{[]string{"-H", "a.test", "-t", "0"}, "not a positive duration"},
		{[]string{"-H", "a.test:99999"}, `port "99999" is not a number from 1 to 65535`},
		{[]string{"-H", "a.test", "-p", "0"}, "-p 0 is not a port"},
		{[]string{"-H", "a.test:443:1"}, "with a port write [ADDRESS]:PORT"},
		{[]string{"-H", "[a.test]:443"}, "only an IPv6 address goes in brackets"},
		{[]string{"-u", "gopher://a.test"}, `unsupported URL scheme "gopher"`},
		{[]string{"-u", "tls://a.test"}, "needs a port: tls://HOST:PORT"},
		{[]string{"-u", "https://user:hunter2@a.test:bad"}, "cannot parse URL"},
		{[]string{"-H", "a.test", "--starttls", "xmpp"}, `--starttls: unknown STARTTLS protocol "xmpp": use one of ftp, imap, ldap, mysql, pop3, postgres, smtp`},
		{[]string{"-H", "a.test", "--ip", "nowhere"}, `--ip "nowhere" is not an IP address`},
		{[]string{"-H", "a.test", "-H", "b.test", "--ip", "127.0.0.1"}, "--ip applies to exactly one endpoint, got 2"},
		{[]string{"-H", "a.test", "--ip", "127.0.0.1", "--all-addresses"}, "--ip and --all-addresses conflict"},
		{[]string{"-H", "a.test", "-4", "-6"}, "-4 and -6 conflict"},
		{[]string{"-H", "a.test", "--ip", "127.0.0.1", "-6"}, "is not an IPv6 address"},
		// A literal of the other family can never be reached as asked.
		{[]string{"-H", "[::1]:443", "-4"}, "::1 is not an IPv4 address, as -4/-6 asks"},
		{[]string{"-u", "https://[::1]", "-4"}, "::1 is not an IPv4 address"},
		{[]string{"-H", "127.0.0.1", "-6"}, "127.0.0.1 is not an IPv6 address"},
		{[]string{"-H", "a.test", "-p", "x"}, "-p x is not a port"},
		{[]string{"-u", "https://a.test", "--starttls", "smtp"}, "--starttls smtp conflicts with https://a.test:443, whose scheme says the protocol"},
		{[]string{"imaps://a.test", "--starttls", "imap"}, "--starttls imap conflicts with imaps://a.test:993"},
		{[]string{"-u", "smtp://user:hunter2@a.test", "--starttls", "imap"}, "--starttls imap conflicts with smtp://a.test:25"},
		{[]string{"-H", "a.test", "--cert-file", "x.pem"}, "--cert-file and --key-file go together"},
		{[]string{"-H", "a.test", "--cert-file", "/nonexistent.pem", "--key-file", "/nonexistent.key"}, "client certificate /nonexistent.pem"},
		{[]string{"-H", "a.test", "--ca-file", "/nonexistent.pem"}, "--ca-file: cannot read /nonexistent.pem: no such file or directory"},
		{[]string{"-H", "a.test", "--ca-file", ca}, "--ca-file: " + ca + ": not a PEM or DER certificate"},
		{[]string{"-H", "a.test", "--ca-file", ca, "--no-verify"}, "--ca-file and --no-verify conflict"},
		{[]string{"-f", "x.pem", "--expect-file", "y.pem"}, "--expect-file compares one endpoint with a file, got 0"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			res := run(t, tc.args...)
			first := res.Expect(t, 3, tc.want)
			if !strings.HasPrefix(first, "TLS UNKNOWN: ") {
				t.Errorf("first line %q", first)
			}
			if strings.Count(res.Stdout, "\n") != 1 {
				t.Errorf("want one line, got:\n%s", res.Stdout)
			}
			if strings.Contains(first, "hunter2") {
				t.Errorf("password printed: %s", first)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	res := run(t, "--help")
	res.Expect(t, 0, "Usage:\n  check-tls-expiry [OPTIONS]", "--all-addresses", "--expect-file")
	if v := run(t, "--version").Expect(t, 0); !regexp.MustCompile(`^check-tls-expiry \S+ \(\S+\)$`).MatchString(v) {
		t.Errorf("--version printed %q", v)
	}
}

func TestURLPasswordNeverPrinted(t *testing.T) {
	addr := testutil.ClosedAddr(t)
	res := run(t, "postgres://monitor:hunter2@"+addr+"/db")
	res.Expect(t, 2, "TLS CRITICAL: postgres://"+addr+": connect")
	if strings.Contains(res.Stdout, "hunter2") || strings.Contains(res.Stdout, "monitor") {
		t.Errorf("user info printed: %s", res.Stdout)
	}
}

func TestStableOKText(t *testing.T) {
	e := newEnv(t)
	addr := e.serve(t, 60.5)
	a := run(t, "-H", addr, "--ca-file", e.caFile)
	b := run(t, "-H", addr, "--ca-file", e.caFile)
	if a.Stdout != b.Stdout {
		t.Errorf("OK text changed between runs:\n%s%s", a.Stdout, b.Stdout)
	}
	v := run(t, "-H", addr, "--ca-file", e.caFile, "-v")
	v.Expect(t, 0, "OK: "+addr+" leaf CN=localhost", "TLS 1.3, handshake ")
}

// --starttls applies to every target given without a scheme, and gives a
// target without a port the protocol's own.
func TestStartTLSWithoutScheme(t *testing.T) {
	e := newEnv(t)
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, e.pki, 50.5), e.pki.Intermediate}, StartTLS: "smtp"})
	want := "TLS OK: 1 target, earliest expiry in 50 days (" + srv.Addr + " (smtp starttls) leaf"
	run(t, "-u", srv.Addr, "--starttls", "smtp", "--ca-file", e.caFile).Expect(t, 0, want)
	run(t, srv.Addr, "--starttls", "smtp", "--ca-file", e.caFile).Expect(t, 0, want)
	run(t, "-H", "127.0.0.1", "-p", fmt.Sprint(srv.Port()), "--starttls", "smtp", "--ca-file", e.caFile).Expect(t, 0, want)
	// Without -p: port 25, whatever answers there.
	res := run(t, "-H", "127.0.0.1", "--starttls", "smtp", "-t", "2")
	if first := strings.SplitN(res.Stdout, "\n", 2)[0]; !strings.Contains(first, "127.0.0.1:25 (smtp starttls)") {
		t.Errorf("-H without a port under --starttls smtp: %s", first)
	}
}

// localhost is ::1 first on many systems; a listener on 127.0.0.1 only is
// what a client reaches, and what is judged.
func TestLocalhostFallsBackToIPv4(t *testing.T) {
	e := newEnv(t)
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Addr: "127.0.0.1:0", Chain: []*fixture.Cert{testutil.Leaf(t, e.pki, 20.5), e.pki.Intermediate}})
	target := fmt.Sprintf("localhost:%d", srv.Port())
	run(t, "-H", target, "--ca-file", e.caFile, "-w", "14").Expect(t, 0, "TLS OK: 1 target, earliest expiry in 20 days ("+target+" leaf, ")
	// Not OK: the address that answered is named.
	run(t, "-H", target, "--ca-file", e.caFile).Expect(t, 1, "TLS WARNING: "+target+" [127.0.0.1] leaf CN=localhost")
}

// A peer that accepts and never speaks costs only its own target.
func TestStalledEndpointBesideAHealthyOne(t *testing.T) {
	e := newEnv(t)
	stall, healthy := testutil.ServeStall(t), e.serve(t, 60.5)
	res := run(t, "-H", stall, "-H", healthy, "--ca-file", e.caFile, "-t", "1")
	// The run's own verdict judges the healthy one too; the watchdog's,
	// on a machine too busy for that, names only what was in progress.
	res.ExpectMatch(t, 2, "^TLS CRITICAL: (?:"+testutil.TimedOut(stall, "tls")+"\nOK: 1 more target|"+
		testutil.StillInProgress("tls", stall)+")\n$")
	if strings.Contains(res.Stdout, healthy+":") {
		t.Errorf("the healthy endpoint was blamed:\n%s", res.Stdout)
	}
}

// 200 endpoints, half of which accept and stall: every healthy one is
// judged, and the run ends within its timeout + 1 s.
func TestHalfStalledEndpointsInTime(t *testing.T) {
	e := newEnv(t)
	args := []string{"--ca-file", e.caFile, "-t", "2"}
	var stalls, healthy []string
	for range 4 {
		stalls = append(stalls, testutil.ServeStall(t))
	}
	for range 10 {
		healthy = append(healthy, e.serve(t, 60.5))
	}
	// Stalled ones first: the order that queued healthy ones behind them.
	for i := range 100 {
		args = append(args, "-H", stalls[i%len(stalls)])
	}
	for i := range 100 {
		args = append(args, "-H", healthy[i%len(healthy)])
	}
	res := run(t, args...)
	res.ExpectMatch(t, 2, "^TLS CRITICAL: ", "tls: timed out after ")
	if !regexp.MustCompile(`\.\.\. and \d+ more \(\d+ CRITICAL, 100 OK\)\n$`).MatchString(res.Stdout) {
		t.Errorf("not every healthy endpoint judged OK:\n%s", res.Stdout)
	}
	if n := strings.Count(res.Stdout, "timed out after 0.00s"); n > 0 {
		t.Errorf("%d targets started after the deadline:\n%s", n, res.Stdout)
	}
	res.ExpectEndedBy(t, 2*time.Second)
}
