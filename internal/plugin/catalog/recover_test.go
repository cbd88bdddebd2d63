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
