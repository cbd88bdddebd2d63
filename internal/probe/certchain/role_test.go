package certchain

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestRoleOf(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30)
	selfSignedLeaf := testutil.NewCert(t, fixture.CertOptions{CN: "appliance.local"})
	// A root re-issued under another root, same name and key: a CA that
	// is not self-signed although its subject may match a root's.
	cross := testutil.NewCert(t, fixture.CertOptions{Subject: &p.Root.Subject, Key: p.Root.Key, IsCA: true,
		Issuer: testutil.NewCert(t, fixture.CertOptions{CN: "Old Root", IsCA: true})})

	// Old roots carry neither key identifier; a self-issued certificate
	// signed by a successor key carries both, and they differ.
	noKeyIDs := *p.Root.Certificate
	noKeyIDs.SubjectKeyId, noKeyIDs.AuthorityKeyId = nil, nil
	onlyAKI := *p.Root.Certificate
	onlyAKI.SubjectKeyId, onlyAKI.AuthorityKeyId = nil, []byte{1, 2, 3}
	sameIDs := *p.Root.Certificate
	sameIDs.AuthorityKeyId = sameIDs.SubjectKeyId
	rollover := *p.Root.Certificate
	rollover.AuthorityKeyId = []byte{1, 2, 3}

	for _, tc := range []struct {
		name       string
		cert       *x509.Certificate
		role       Role
		selfSigned bool
	}{
		{"leaf", leaf.Certificate, Leaf, false},
		{"intermediate", p.Intermediate.Certificate, Intermediate, false},
		{"root", p.Root.Certificate, Root, true},
		{"self-signed leaf", selfSignedLeaf.Certificate, Leaf, true},
		{"cross-signed root", cross.Certificate, Intermediate, false},
		{"root without key identifiers", &noKeyIDs, Root, true},
		{"root with an AKI only", &onlyAKI, Root, true},
		{"root whose AKI is its SKI", &sameIDs, Root, true},
		{"self-issued by another key", &rollover, Intermediate, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RoleOf(tc.cert); got != tc.role {
				t.Errorf("RoleOf = %s, want %s", got, tc.role)
			}
			if got := SelfSigned(tc.cert); got != tc.selfSigned {
				t.Errorf("SelfSigned = %v, want %v", got, tc.selfSigned)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	p := testutil.NewPKI(t)
	leaf := testutil.Leaf(t, p, 30, "api.example.test")
	noCN := testutil.NewCert(t, fixture.CertOptions{Subject: &pkix.Name{Organization: []string{"Acme"}, Country: []string{"JP"}}, Issuer: p.Intermediate, IsCA: true})
	issuedByNoCN := testutil.NewCert(t, fixture.CertOptions{CN: "svc", Issuer: noCN})
	empty := *leaf.Certificate
	empty.Subject = pkix.Name{}
	empty.SerialNumber = big.NewInt(4242)

	for _, tc := range []struct {
		name string
		cert Cert
		want string
	}{
		{"leaf", Cert{Certificate: leaf.Certificate, Role: Leaf}, "leaf CN=api.example.test (issuer Test Intermediate)"},
		{"intermediate", Cert{Certificate: p.Intermediate.Certificate, Role: Intermediate}, "intermediate CN=Test Intermediate (issuer Test Root)"},
		{"root", Cert{Certificate: p.Root.Certificate, Role: Root}, "root CN=Test Root (self-signed)"},
		{"no common name", Cert{Certificate: noCN.Certificate, Role: Intermediate}, "intermediate O=Acme,C=JP (issuer Test Intermediate)"},
		{"issuer without common name", Cert{Certificate: issuedByNoCN.Certificate, Role: Leaf}, "leaf CN=svc (issuer O=Acme,C=JP)"},
		{"empty subject", Cert{Certificate: &empty, Role: Leaf}, "leaf serial 4242 (issuer Test Intermediate)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cert.Describe(); got != tc.want {
				t.Errorf("Describe() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLifetime(t *testing.T) {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	c := testutil.NewCert(t, fixture.CertOptions{CN: "x", NotBefore: start, NotAfter: start.Add(90 * 24 * time.Hour)})
	if got := (Cert{Certificate: c.Certificate}).Lifetime(); got != 90*threshold.Day {
		t.Errorf("Lifetime() = %v, want 90 days", got)
	}
	long := testutil.NewCert(t, fixture.CertOptions{CN: "x", NotBefore: time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)})
	if got, want := (Cert{Certificate: long.Certificate}).Lifetime(), threshold.Seconds(127835*86400); got != want {
		t.Errorf("Lifetime() of 1950-2300 = %v, want %v", got, want)
	}
}

func TestEarliest(t *testing.T) {
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	mk := func(cn string, days int) Cert {
		c := testutil.NewCert(t, fixture.CertOptions{CN: cn, NotBefore: base.AddDate(0, -1, 0), NotAfter: base.AddDate(0, 0, days)})
		return Cert{Certificate: c.Certificate, Role: Leaf}
	}
	a, b, c, d := mk("a", 30), mk("b", 10), mk("c", 10), mk("d", 20)
	for _, tc := range []struct {
		name  string
		certs []Cert
		want  string
	}{
		{"one", []Cert{a}, "a"},
		{"earliest in the middle", []Cert{a, b, d}, "b"},
		{"tie goes to the first", []Cert{a, c, b, d}, "c"},
		{"tie goes to the first, other order", []Cert{d, b, c}, "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Earliest(tc.certs); got.Subject.CommonName != tc.want {
				t.Errorf("Earliest = %s, want %s", got.Subject.CommonName, tc.want)
			}
		})
	}
	if got := Earliest(nil); got.Certificate != nil {
		t.Errorf("Earliest(nil) = %v, want no certificate", got.Subject)
	}
}

func TestDescribeAnchorNotSent(t *testing.T) {
	p := testutil.NewPKI(t)
	got := Cert{Certificate: p.Root.Certificate, Role: Root, NotSent: true}.Describe()
	if want := "root CN=Test Root (self-signed, a trust anchor the server does not send: from --ca-file or the system store)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
