package certchain

import (
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestLoadClientCert(t *testing.T) {
	if cert, err := ReadClientCert("", ""); cert != nil || err != nil {
		t.Errorf("neither file: %v, %v; want nil, nil", cert, err)
	}
	for _, files := range [][2]string{{"c.pem", ""}, {"", "k.pem"}} {
		if _, err := ReadClientCert(files[0], files[1]); err == nil || !strings.Contains(err.Error(), "needs both") {
			t.Errorf("%q: error %v, want the two named together", files, err)
		}
	}
	missing := testutil.WriteFile(t, "cert.pem", []byte("not a certificate"))
	if _, err := ReadClientCert(missing, missing+".absent"); err == nil || !strings.Contains(err.Error(), "client certificate "+missing) {
		t.Errorf("unreadable key: error %v, want the files named", err)
	}
}

func TestLoadTrustRefusesAFileWithNoCertificate(t *testing.T) {
	path := testutil.WriteFile(t, "ca.pem", []byte("-----BEGIN PRIVATE KEY-----\nbm90IGEgY2VydA==\n-----END PRIVATE KEY-----\n"))
	if trust, err := ReadTrust(path); err == nil || strings.Contains(err.Error(), "--ca-file") {
		t.Errorf("LoadTrust = %v, %v; want an error that names no flag: the caller names it", trust, err)
	}
}

// Damaged anchors are no usage error, even all of them: they are named
// where verification needed them, as damaged anchors of the system store.
func TestLoadTrustKeepsDamagedAnchors(t *testing.T) {
	path := testutil.WriteFile(t, "ca.pem", []byte("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"))
	trust, err := ReadTrust(path)
	if err != nil || len(trust.Extra) != 0 || trust.Damaged == nil || !strings.Contains(trust.Damaged.Error(), "PEM block 1") {
		t.Errorf("LoadTrust = %+v, %v; want no anchor and the damaged block", trust, err)
	}
}
