package netflags

import (
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

func TestFamily(t *testing.T) {
	for _, c := range []struct {
		a    AddressFamily
		want netdial.Family
	}{{AddressFamily{}, netdial.AnyFamily}, {AddressFamily{IPv4: true}, netdial.IPv4}, {AddressFamily{IPv6: true}, netdial.IPv6}} {
		if got, err := c.a.Family(); err != nil || got != c.want {
			t.Errorf("%+v: %v, %v; want %v", c.a, got, err, c.want)
		}
	}
	if _, err := (AddressFamily{IPv4: true, IPv6: true}).Family(); err == nil || !strings.Contains(err.Error(), "-4 and -6 conflict") {
		t.Errorf("-4 -6: %v", err)
	}
}

// The anchors beside a flag that skips verification are refused, in
// words that name the plugin's own flag.
func TestTrustBesideSkip(t *testing.T) {
	for _, skip := range []string{(NoVerify{true}).Skip(), (Insecure{true}).Skip()} {
		err := TLSClient{Trust: Trust{CAFile: "/nonexistent"}}.Check(skip)
		if want := "--ca-file and " + skip + " conflict"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("skip %s: %v, want %q", skip, err, want)
		}
	}
	if err := (TLSClient{}).Check("--insecure"); err != nil {
		t.Errorf("no --ca-file: %v", err)
	}
	if err := (TLSClient{ClientCert: ClientCert{CertFile: "c.pem"}}).Check(""); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("--cert-file alone: %v", err)
	}
	if (NoVerify{}).Skip() != "" || (Insecure{}).Skip() != "" {
		t.Error("verification on names a skip flag")
	}
}
