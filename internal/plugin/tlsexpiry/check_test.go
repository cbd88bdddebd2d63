package tlsexpiry

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/certexpiry"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// env is a PKI trusted through Config.Trust, with the system store
// replaced by an empty one so that nothing on the machine takes part.
type env struct {
	pki   *fixture.PKI
	trust *certchain.Trust
}

func newEnv(t *testing.T) env {
	t.Helper()
	t.Setenv("SSL_CERT_FILE", testutil.WriteFile(t, "empty.crt", nil))
	t.Setenv("SSL_CERT_DIR", t.TempDir())
	p := testutil.NewPKI(t)
	return env{pki: p, trust: &certchain.Trust{Extra: []*x509.Certificate{p.Root.Certificate}}}
}

// serve serves a leaf expiring in days under the env's intermediate and
// returns it with the target that names the server by its address.
func (e env) serve(t *testing.T, days float64) (*fixture.Cert, Target) {
	t.Helper()
	leaf := testutil.Leaf(t, e.pki, days)
	return leaf, hostTarget(t, testutil.ServeChain(t, leaf, e.pki.Intermediate))
}

func hostTarget(t *testing.T, addr string) Target {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return Target{Host: host, Port: p}
}

func (e env) config(targets ...Target) *Config {
	return &Config{Config: certexpiry.Config{Targets: targets, Warning: DefaultWarning, Critical: DefaultCritical, Trust: e.trust}}
}

func run(t *testing.T, c *Config) *check.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := Check(ctx, c)
	r.Tag = "TLS"
	return r
}

func date(c *fixture.Cert) string    { return c.NotAfter.UTC().Format(time.DateOnly) }
func stampOf(c *fixture.Cert) string { return c.NotAfter.UTC().Format(time.RFC3339) }

func expectMessage(t *testing.T, r *check.Report, status check.Status, lines ...string) {
	t.Helper()
	if r.Status() != status {
		t.Errorf("status %v, want %v", r.Status(), status)
	}
	if got, want := r.Message(), strings.Join(lines, "\n"); got != want {
		t.Errorf("message:\n got %q\nwant %q", got, want)
	}
}

func TestCheckOK(t *testing.T) {
	e := newEnv(t)
	leaf := testutil.Leaf(t, e.pki, 60.5)
	addr := testutil.ServeChain(t, leaf, e.pki.Intermediate)
	target := hostTarget(t, addr)
	target.Host = "localhost"
	// --ip: the name is verified, the address is connected to.
	c := e.config(target)
	c.IP = netip.MustParseAddr("127.0.0.1")

	r := run(t, c)
	label := "localhost:" + strconv.Itoa(target.Port)
	want := "TLS OK: 1 target, earliest expiry in 60 days (" + label + " leaf, " + date(leaf) + ")"
	expectMessage(t, r, check.OK, want)
	if again := run(t, c).Message(); again != want {
		t.Errorf("the OK message changed between runs:\n%q\n%q", want, again)
	}
	// The finding itself names the address, for -v.
	if f := r.Findings[0].Text; !strings.HasPrefix(f, label+" [127.0.0.1] leaf CN=localhost (issuer Test Intermediate) expires in 60 days (") {
		t.Errorf("OK finding %q does not name the address connected to", f)
	}

	c.Verbose = true
	r = run(t, c)
	if f := r.Findings[0].Text; !strings.Contains(f, ", TLS 1.3, handshake ") {
		t.Errorf("verbose OK finding %q lacks the version and handshake time", f)
	}
}

func TestCheckEarliestOfSeveral(t *testing.T) {
	e := newEnv(t)
	_, a := e.serve(t, 60.5)
	leafB, b := e.serve(t, 45.5)
	_, c := e.serve(t, 70.5)
	expectMessage(t, run(t, e.config(a, b, c)), check.OK,
		fmt.Sprintf("TLS OK: 3 targets, earliest expiry in 45 days (%s leaf, %s)", b.Label(), date(leafB)))
}

// Lines are worst first; ties and the OK count follow the command line,
// whatever order the probes finish in.
func TestCheckOrder(t *testing.T) {
	e := newEnv(t)
	_, ok := e.serve(t, 60.5)
	closed := hostTarget(t, testutil.ClosedAddr(t))
	warn1, w1 := e.serve(t, 21.5)
	_, ok2 := e.serve(t, 80.5)
	warn2, w2 := e.serve(t, 25.5)
	r := run(t, e.config(ok, w1, closed, ok2, w2))
	leafText := func(days int, c *fixture.Cert) string {
		return fmt.Sprintf("leaf CN=localhost (issuer Test Intermediate) expires in %d days (%s), warning below 30 days", days, stampOf(c))
	}
	expectMessage(t, r, check.CRITICAL,
		"TLS CRITICAL: "+closed.Label()+": connect: connection refused",
		"TLS WARNING: "+w1.Label()+" "+leafText(21, warn1),
		"TLS WARNING: "+w2.Label()+" "+leafText(25, warn2),
		"OK: 2 more targets")
	var order []string
	for _, f := range r.Findings {
		order = append(order, f.Status.String())
	}
	if got := strings.Join(order, " "); got != "OK WARNING CRITICAL OK WARNING" {
		t.Errorf("findings in order %s, want command-line order", got)
	}
}

func TestCheckFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	leaf := testutil.Leaf(t, e.pki, 60.5)
	good := write("good.pem", fixture.PEM(leaf, e.pki.Intermediate))
	// A fullchain whose intermediate runs out before its leaf.
	shortInter := testutil.NewCert(t, fixture.CertOptions{CN: "Short Intermediate", IsCA: true, Issuer: e.pki.Root, NotAfter: fixture.InDays(10.5)})
	leaf2 := testutil.NewCert(t, fixture.CertOptions{CN: "www.example.test", Issuer: shortInter, NotAfter: fixture.InDays(50.5)})
	bad := write("bad.pem", fixture.PEM(leaf2, shortInter))
	empty := write("empty.pem", nil)
	nothing := filepath.Join(dir, "*.crt")

	r := run(t, e.config(Target{Path: good}, Target{Path: bad}, Target{Path: empty}, Target{Path: nothing}))
	expectMessage(t, r, check.CRITICAL,
		"TLS CRITICAL: "+bad+" intermediate CN=Short Intermediate (issuer Test Root) expires in 10 days ("+stampOf(shortInter)+"), critical below 14 days",
		"TLS UNKNOWN: "+empty+": the file is empty: no certificate in it",
		"TLS UNKNOWN: "+nothing+" matches no file",
		"OK: 1 more target")

	// A damaged block beside the certificates that could be read: they
	// are judged, and the block is reported.
	expired := testutil.NewCert(t, fixture.CertOptions{CN: "expired.example", NotBefore: fixture.InDays(-100), NotAfter: fixture.InDays(-10.5)})
	mixed := write("mixed.pem", append(fixture.PEM(expired), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"...))
	r = run(t, e.config(Target{Path: mixed}))
	expectMessage(t, r, check.CRITICAL,
		"TLS CRITICAL: "+mixed+" leaf CN=expired.example (self-signed) expired 10 days ago ("+stampOf(expired)+")",
		"TLS UNKNOWN: "+mixed+": PEM block 2 is not a valid certificate: malformed certificate")
	// The same in --ca-file: the anchors read are used, the rest reported.
	anchors, err := certchain.ReadFile(write("ca.pem", append(fixture.PEM(e.pki.Root), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"...)))
	c := e.config(Target{Path: good})
	c.Trust = &certchain.Trust{Extra: anchors, Damaged: err}
	expectMessage(t, run(t, c), check.UNKNOWN, "TLS UNKNOWN: --ca-file "+filepath.Join(dir, "ca.pem")+": PEM block 2 is not a valid certificate: malformed certificate", "OK: 1 more target")

	// A glob of good files is OK, and names the file that decides.
	r = run(t, e.config(Target{Path: filepath.Join(dir, "g*.pem")}))
	expectMessage(t, r, check.OK, "TLS OK: 1 target, earliest expiry in 60 days ("+good+" leaf, "+date(leaf)+")")
}

func TestCheckDNSFailure(t *testing.T) {
	e := newEnv(t)
	// An IP literal of the wrong family fails in the dns phase without a
	// lookup leaving the machine.
	c := e.config(Target{Host: "127.0.0.1", Port: 443})
	c.Family = netdial.IPv6
	expectMessage(t, run(t, c), check.CRITICAL,
		"TLS CRITICAL: 127.0.0.1:443: dns: 127.0.0.1 is not an IPv6 address")
}

func TestCheckTimeout(t *testing.T) {
	e := newEnv(t)
	target := hostTarget(t, testutil.ServeStall(t))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := Check(ctx, e.config(target))
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Check returned after %v with a 300ms deadline", elapsed)
	}
	r.Tag = "TLS"
	want := "TLS CRITICAL: " + target.Label() + ": tls: timed out after "
	if got := r.Message(); r.Status() != check.CRITICAL || !strings.HasPrefix(got, want) {
		t.Errorf("message %q (%v), want %q...", got, r.Status(), want)
	}
}

func TestCheckVerification(t *testing.T) {
	e := newEnv(t)
	leaf, target := e.serve(t, 60.5)
	leafText := "leaf CN=localhost (issuer Test Intermediate) expires in 60 days (" + stampOf(leaf) + ")"

	t.Run("unknown authority keeps the days", func(t *testing.T) {
		c := e.config(target)
		c.Trust = nil
		expectMessage(t, run(t, c), check.CRITICAL,
			"TLS CRITICAL: "+target.Label()+" verification failed: no chain to a trusted root (an unknown CA, or the server does not send its intermediate; --ca-file adds a private CA); "+leafText)
	})
	t.Run("hostname mismatch", func(t *testing.T) {
		c := e.config(target)
		c.SNI = "www.example.test"
		expectMessage(t, run(t, c), check.CRITICAL,
			"TLS CRITICAL: "+target.Label()+" verification failed: hostname mismatch: certificate is valid for localhost, not www.example.test; "+leafText)
	})
	t.Run("no verification", func(t *testing.T) {
		c := e.config(target)
		c.Trust, c.SNI, c.NoVerify = nil, "www.example.test", true
		expectMessage(t, run(t, c), check.OK,
			"TLS OK: 1 target, earliest expiry in 60 days ("+target.Label()+" leaf, "+date(leaf)+")")
	})
	t.Run("expired leaf is said once", func(t *testing.T) {
		expired := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)},
			Issuer: e.pki.Intermediate, NotBefore: fixture.InDays(-90), NotAfter: fixture.InDays(-3.5)})
		target := hostTarget(t, testutil.ServeChain(t, expired, e.pki.Intermediate))
		expectMessage(t, run(t, e.config(target)), check.CRITICAL,
			"TLS CRITICAL: "+target.Label()+" leaf CN=localhost (issuer Test Intermediate) expired 3 days ago ("+stampOf(expired)+")")
	})
	t.Run("a certificate no chain needs does not alert", func(t *testing.T) {
		other := testutil.NewPKI(t)
		stray := testutil.NewCert(t, fixture.CertOptions{CN: "Stray Intermediate", IsCA: true, Issuer: other.Root, NotAfter: fixture.InDays(2.5)})
		target := hostTarget(t, testutil.ServeChain(t, leaf, e.pki.Intermediate, stray))
		c := e.config(target)
		c.Verbose = true
		r := run(t, c)
		if r.Status() != check.OK {
			t.Fatalf("status %v, want OK:\n%s", r.Status(), r.Message())
		}
		if want := "; not on the verified chain, not judged: intermediate CN=Stray Intermediate (issuer Test Root) expiring " + stampOf(stray); !strings.Contains(r.Findings[0].Text, want) {
			t.Errorf("verbose finding %q does not list the stray certificate", r.Findings[0].Text)
		}
	})
}

func TestCheckExpectFile(t *testing.T) {
	e := newEnv(t)
	served, target := e.serve(t, 20.5)
	renewed := testutil.Leaf(t, e.pki, 80.5)
	path := testutil.WriteFile(t, "fullchain.pem", fixture.PEM(renewed, e.pki.Intermediate))

	c := e.config(target)
	c.ExpectFile = path
	expectMessage(t, run(t, c), check.WARNING,
		"TLS WARNING: "+target.Label()+" leaf CN=localhost (issuer Test Intermediate) expires in 20 days ("+stampOf(served)+"), warning below 30 days",
		"TLS WARNING: "+target.Label()+" renewed on disk ("+path+", NotAfter "+stampOf(renewed)+") but the listener still serves the old certificate (NotAfter "+stampOf(served)+"): reload the server")

	c.ExpectFile = filepath.Join(t.TempDir(), "missing.pem")
	expectMessage(t, run(t, c), check.UNKNOWN,
		"TLS UNKNOWN: "+target.Label()+": --expect-file: cannot read "+c.ExpectFile+": no such file or directory",
		"TLS WARNING: "+target.Label()+" leaf CN=localhost (issuer Test Intermediate) expires in 20 days ("+stampOf(served)+"), warning below 30 days")

	// The file holds what is served: nothing to say about it.
	c.ExpectFile = testutil.WriteFile(t, "same.pem", fixture.PEM(served))
	if r := run(t, c); r.Status() != check.WARNING || strings.Contains(r.Message(), "renewed on disk") {
		t.Errorf("same certificate on disk: %s", r.Message())
	}
}

func TestValidate(t *testing.T) {
	host := Target{Host: "www.example.test", Port: 443}
	file := Target{Path: "/etc/ssl/cert.pem"}
	v4, v6 := netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::1")
	w, c := DefaultWarning, DefaultCritical
	for _, tc := range []struct {
		name   string
		config Config
		want   string // "" for valid
	}{
		{"one endpoint", Config{Config: certexpiry.Config{Targets: []Target{host}, Warning: w, Critical: c}}, ""},
		{"endpoint and files with --ip", Config{Config: certexpiry.Config{Targets: []Target{file, host, file}, IP: v4, Warning: w, Critical: c}}, ""},
		{"--expect-file with one endpoint", Config{Config: certexpiry.Config{Targets: []Target{host, file}, Warning: w, Critical: c}, ExpectFile: "x.pem"}, ""},
		{"--ip matching -6", Config{Config: certexpiry.Config{Targets: []Target{host}, IP: v6, Family: netdial.IPv6, Warning: w, Critical: c}}, ""},
		{"no target", Config{Config: certexpiry.Config{Warning: w, Critical: c}}, "no target: give -H HOST[:PORT], -u URL (or a URL argument), or -f FILE"},
		{"--ip with two endpoints", Config{Config: certexpiry.Config{Targets: []Target{host, host}, IP: v4}}, "--ip applies to exactly one endpoint, got 2: run one check per endpoint, or use --all-addresses"},
		{"--ip with files only", Config{Config: certexpiry.Config{Targets: []Target{file}, IP: v4}}, "--ip applies to exactly one endpoint, got 0: run one check per endpoint, or use --all-addresses"},
		{"--ip and --all-addresses", Config{Config: certexpiry.Config{Targets: []Target{host}, IP: v4, AllAddresses: true}}, "--ip and --all-addresses conflict: --ip connects to one address, --all-addresses to every address of the host"},
		{"--expect-file with two endpoints", Config{Config: certexpiry.Config{Targets: []Target{host, host}}, ExpectFile: "x.pem"}, "--expect-file compares one endpoint with a file, got 2 endpoints"},
		{"--expect-file with files only", Config{Config: certexpiry.Config{Targets: []Target{file}}, ExpectFile: "x.pem"}, "--expect-file compares one endpoint with a file, got 0 endpoints"},
		{"--ip against -4", Config{Config: certexpiry.Config{Targets: []Target{host}, IP: v6, Family: netdial.IPv4}}, "--ip 2001:db8::1 is not an IPv4 address, as -4/-6 asks"},
		{"--ip against -6", Config{Config: certexpiry.Config{Targets: []Target{host}, IP: v4, Family: netdial.IPv6}}, "--ip 192.0.2.7 is not an IPv6 address, as -4/-6 asks"},
		{"critical above warning", Config{Config: certexpiry.Config{Targets: []Target{host}, Warning: threshold.MustExpiry("14"), Critical: threshold.MustExpiry("30")}},
			"critical threshold 30 days exceeds warning threshold 14 days: critical must be the smaller amount of time left (e.g. -w 30 -c 14)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.config.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}
