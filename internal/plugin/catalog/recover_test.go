package catalog

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsTheRecoveryConf: the recovery section of the catalog's
// README shows the lines agent-conf writes for the example's nginx item,
// word for word.
func TestREADMEShowsTheRecoveryConf(t *testing.T) {
	c := loadExample(t)
	files, err := c.AgentConf("shop", "web", c.Host(Host{}))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../../frontline/README.md")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(files["frontline-shop-web.conf"])
	var shown []string
	for _, l := range strings.Split(conf, "\n") {
		if strings.HasPrefix(l, "action = ") || strings.HasPrefix(l, "command = ") && strings.Contains(l, "--recovery-state") {
			shown = append(shown, l)
		}
	}
	if len(shown) != 2 {
		t.Fatalf("the example's conf has %d recovery lines, want the check's command and its action:\n%s", len(shown), conf)
	}
	for _, l := range shown {
		if !strings.Contains(string(readme), "\n"+l+"\n") {
			t.Errorf("frontline/README.md does not show the line agent-conf writes:\n%s", l)
		}
	}
}

func TestURLPassword(t *testing.T) {
	for _, tc := range []struct {
		in   string
		pw   string
		isPw bool
	}{
		{"https://ops:pw1@127.0.0.1:9/restart", "pw1", true},
		{"https://ops@127.0.0.1/", "", false},
		{"https://127.0.0.1/?next=a@b", "", false},
		{"admin:pw2@www.example.com", "pw2", true},
		{"admin:pw3@www.example.com:8443", "pw3", true},
		{"www.example.com:443", "", false},
		{"a:pw7@www.example.com", "pw7", true},
		{":pw8@www.example.com", "pw8", true},
		{"www.example.com/a@b", "", false},
		{"admin:pw/5@www.example.com", "pw/5", true},
		// A "/" or "?" in the password breaks the URL; it is read up to
		// the last "@".
		{"https://admin:Ht/tp?pw4@www.example.com/", "Ht/tp?pw4", true},
		{"ftp://admin:pw6@www.example.com/?api_key=k", "pw6", true},
	} {
		pw, ok := urlPassword(tc.in)
		if pw != tc.pw || ok != tc.isPw {
			t.Errorf("urlPassword(%q) = %q, %v; want %q, %v", tc.in, pw, ok, tc.pw, tc.isPw)
		}
	}
}
