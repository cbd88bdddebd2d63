package certchain

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestVerifierTiers(t *testing.T) {
	system := testutil.NewPKI(t)
	private := testutil.NewPKI(t)
	inDirs := testutil.NewPKI(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dir-root.pem"), fixture.PEM(inDirs.Root), 0o644); err != nil {
		t.Fatal(err)
	}
	systemStore(t, fixture.PEM(system.Root), dir)
	trust := &Trust{Extra: x509s(private.Root)}

	for _, tc := range []struct {
		name  string
		pki   *fixture.PKI
		trust *Trust
		want  string // "" verified, else part of the error
	}{
		{"extra anchor", private, trust, ""},
		{"system bundle", system, trust, ""},
		{"certificate directory", inDirs, trust, ""},
		{"system bundle without extras", system, nil, ""},
		{"extra anchor not given", private, nil, "unknown authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := NewVerifier(tc.trust, time.Time{}, false)
			leaf := testutil.Leaf(t, tc.pki, 30)
			served := v.Verify(x509s(leaf, tc.pki.Intermediate), "localhost")
			switch {
			case tc.want == "" && served.VerifyErr != nil:
				t.Errorf("Verify: %v", served.VerifyErr)
			case tc.want != "" && (served.VerifyErr == nil || !strings.Contains(served.VerifyErr.Error(), tc.want)):
				t.Errorf("Verify error %v, want %q", served.VerifyErr, tc.want)
			}
			if len(served.Chain) == 0 || !served.Chain[0].Equal(leaf.Certificate) {
				t.Errorf("the deciding chain does not start at the leaf: %v", describe(served.Chain))
			}
		})
	}
}

// Concurrent verifications of the same and of different chains agree with
// one done alone (run with -race).
func TestVerifierConcurrent(t *testing.T) {
	a, b := testutil.NewPKI(t), testutil.NewPKI(t)
	systemStore(t, fixture.PEM(a.Root, b.Root))
	v := NewVerifier(nil, time.Time{}, false)
	chains := [][]*x509.Certificate{
		x509s(testutil.Leaf(t, a, 30), a.Intermediate),
		x509s(testutil.Leaf(t, b, 30), b.Intermediate),
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s := v.Verify(chains[i%2], "localhost"); s.VerifyErr != nil {
				t.Errorf("Verify: %v", s.VerifyErr)
			}
		}()
	}
	wg.Wait()
}

// From a tls.Config, as net/http uses it.
func TestVerifierVerifyConnection(t *testing.T) {
	p := testutil.NewPKI(t)
	systemStore(t, fixture.PEM(p.Root))
	srv := testutil.ServeTLS(t, fixture.TLSOptions{Chain: []*fixture.Cert{testutil.Leaf(t, p, 30), p.Intermediate}})
	v := NewVerifier(nil, time.Time{}, false)
	for _, tc := range []struct {
		name, want string
	}{
		{"localhost", ""},
		{"other.test", "not other.test"},
	} {
		conn, err := tls.Dial("tcp", srv.Addr, &tls.Config{ServerName: tc.name, InsecureSkipVerify: true, VerifyConnection: v.VerifyConnection})
		if conn != nil {
			conn.Close()
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
