package expiry

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
)

const day = 24 * time.Hour

func TestDays(t *testing.T) {
	for _, tc := range []struct {
		days float64
		want string
	}{
		{0, "less than 0.1 days"},
		{0.05, "less than 0.1 days"},
		{0.0999, "less than 0.1 days"},
		{0.1, "0.1 days"},
		{0.2, "0.2 days"},
		{0.8, "0.8 days"},
		{0.99, "0.9 days"},
		{1, "1.0 days"},
		{1.6, "1.6 days"},
		{1.66, "1.6 days"},
		{1.99, "1.9 days"},
		{2, "2 days"},
		{2.99, "2 days"},
		{21.5, "21 days"},
		{63.99, "63 days"},
		{3650, "3650 days"},
		{-1, "less than 0.1 days"},
		// Past time.Duration's 292 years.
		{2912107.5, "2912107 days"},
	} {
		t.Run(fmt.Sprint(tc.days), func(t *testing.T) {
			if got := Days(threshold.Seconds(tc.days) * threshold.Day); got != tc.want {
				t.Errorf("Days(%v days) = %q, want %q", tc.days, got, tc.want)
			}
		})
	}
	// Never more time than is left: a second short of a tenth rounds down.
	for _, tenths := range []int{1, 3, 7, 11, 16, 19, 20} {
		d := threshold.Seconds(tenths)*threshold.Day/10 - 1
		below := fmt.Sprintf("%d.%d days", (tenths-1)/10, (tenths-1)%10)
		if tenths == 1 {
			below = "less than 0.1 days"
		}
		if got := Days(d); got != below {
			t.Errorf("Days(%v) = %q, want %q", d, got, below)
		}
	}
}

func TestJudgeCert(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	p := testutil.NewPKI(t)
	// cert is a leaf valid from start days to end days from now.
	cert := func(start, end float64) certchain.Cert {
		c := testutil.NewCert(t, fixture.CertOptions{CN: "www.example.test", Issuer: p.Intermediate,
			NotBefore: now.Add(time.Duration(start * float64(day))), NotAfter: now.Add(time.Duration(end * float64(day)))})
		return certchain.Cert{Certificate: c.Certificate, Role: certchain.Leaf}
	}
	stamp := func(days float64) string {
		return now.Add(time.Duration(days * float64(day))).UTC().Format(time.RFC3339)
	}
	const desc = "leaf CN=www.example.test (issuer Test Intermediate) "
	for _, tc := range []struct {
		name              string
		warning, critical string
		start, end        float64
		status            check.Status
		want              string
	}{
		{"ok", "30", "14", -29.5, 60.5, check.OK, "expires in 60 days (" + stamp(60.5) + ")"},
		{"at the warning threshold", "30", "14", -60, 30, check.OK, "expires in 30 days (" + stamp(30) + ")"},
		{"warning", "30", "14", -68.5, 21.5, check.WARNING, "expires in 21 days (" + stamp(21.5) + "), warning below 30 days"},
		{"critical", "30", "14", -84.5, 5.5, check.CRITICAL, "expires in 5 days (" + stamp(5.5) + "), critical below 14 days"},
		{"critical under two days", "30", "14", -88, 1.66, check.CRITICAL, "expires in 1.6 days (" + stamp(1.66) + "), critical below 14 days"},
		{"fraction thresholds", "3", "0.5", -88, 1.66, check.WARNING, "expires in 1.6 days (" + stamp(1.66) + "), warning below 3 days"},
		{"duration thresholds", "3d", "48h", -88, 1.66, check.CRITICAL, "expires in 1.6 days (" + stamp(1.66) + "), critical below 48h"},
		{"percent warning", "20%", "5%", -79.5, 10.5, check.WARNING, "expires in 10 days (" + stamp(10.5) + "), 11% of its lifetime left, warning below 20%"},
		{"percent critical", "20%", "5%", -86.5, 3.5, check.CRITICAL, "expires in 3 days (" + stamp(3.5) + "), 3% of its lifetime left, critical below 5%"},
		{"percent ok", "20%", "5%", -29.5, 60.5, check.OK, "expires in 60 days (" + stamp(60.5) + ")"},
		{"days warning, percent critical", "30", "5%", -86.5, 3.5, check.CRITICAL, "expires in 3 days (" + stamp(3.5) + "), 3% of its lifetime left, critical below 5%"},
		{"zero thresholds", "0", "0", -89.9, 0.05, check.OK, "expires in less than 0.1 days (" + stamp(0.05) + ")"},
		{"expired", "30", "14", -90, -3.2, check.CRITICAL, "expired 3 days ago (" + stamp(-3.2) + ")"},
		{"expired just now", "30", "14", -90, -0.01, check.CRITICAL, "expired less than 0.1 days ago (" + stamp(-0.01) + ")"},
		{"expires this second", "0", "0", -90, 0, check.CRITICAL, "expired less than 0.1 days ago (" + stamp(0) + ")"},
		{"not yet valid", "30", "14", 2.5, 92.5, check.CRITICAL, "is not valid until " + stamp(2.5) + " (in 2 days)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := Judge{Warning: threshold.MustExpiry(tc.warning), Critical: threshold.MustExpiry(tc.critical), Now: now}
			v := j.Cert(cert(tc.start, tc.end))
			if v.Status != tc.status {
				t.Errorf("status %v, want %v (%s)", v.Status, tc.status, v.Text)
			}
			if want := desc + tc.want; v.Text != want {
				t.Errorf("text:\n got %q\nwant %q", v.Text, want)
			}
		})
	}
}

func TestJudgeChain(t *testing.T) {
	now := time.Now()
	p := testutil.NewPKI(t)
	mk := func(cn string, days float64, role certchain.Role) certchain.Cert {
		c := testutil.NewCert(t, fixture.CertOptions{CN: cn, Issuer: p.Intermediate, NotAfter: now.Add(time.Duration(days * float64(day)))})
		return certchain.Cert{Certificate: c.Certificate, Role: role}
	}
	j := Judge{Warning: threshold.MustExpiry("30"), Critical: threshold.MustExpiry("14"), Now: now}
	for _, tc := range []struct {
		name  string
		chain []certchain.Cert
		want  string // CNs, worst first
	}{
		{"worst first", []certchain.Cert{mk("leaf", 60, certchain.Leaf), mk("inter", 20, certchain.Intermediate), mk("root", 5, certchain.Root)}, "root inter leaf"},
		{"among equals the earliest", []certchain.Cert{mk("w25", 25, certchain.Leaf), mk("w20", 20, certchain.Intermediate), mk("ok90", 90, certchain.Root), mk("ok70", 70, certchain.Root)}, "w20 w25 ok70 ok90"},
		{"ties keep their order", []certchain.Cert{mk("b", 50, certchain.Leaf), mk("a", 50, certchain.Intermediate)}, "b a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Equal NotAfter for the tie: copy the first one's.
			if tc.name == "ties keep their order" {
				tc.chain[1].NotAfter = tc.chain[0].NotAfter
			}
			var got []string
			for _, v := range j.Chain(tc.chain) {
				got = append(got, v.Cert.Subject.CommonName)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("order %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}
