package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// Lifetimes past 292 years, where time.Duration ends, are counted as they
// are: a certificate valid to 9999 has millions of days left, not 106751,
// and the share of a 350-year lifetime left is a share of 350 years.
func TestDaysPastDurationRange(t *testing.T) {
	end := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	forever := testutil.NewCert(t, fixture.CertOptions{CN: "forever.example", NotAfter: end})
	path := testutil.WriteFile(t, "forever.pem", fixture.PEM(forever))
	days := (end.Unix() - time.Now().Unix()) / 86400
	res := runFiles(t, "-f", path)
	first := res.Expect(t, 0, "TLS OK: 1 target, earliest expiry in ")
	if !strings.Contains(first, fmt.Sprintf("in %d days", days)) && !strings.Contains(first, fmt.Sprintf("in %d days", days-1)) {
		t.Errorf("want %d days left: %q", days, first)
	}

	// 1950 to 2300: 78% of its lifetime is left, under -w 85%.
	long := testutil.NewCert(t, fixture.CertOptions{CN: "long.example",
		NotBefore: time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)})
	path = testutil.WriteFile(t, "long.pem", fixture.PEM(long))
	runFiles(t, "-f", path, "-w", "85%", "-c", "10%").Expect(t, 1, "TLS WARNING: "+path+" leaf CN=long.example", "% of its lifetime left, warning below 85%")
}
