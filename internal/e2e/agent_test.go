//go:build linux

// Linux only: the plugins trust the fixtures' root through SSL_CERT_FILE,
// which only their Linux trust store honours.

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// hostID is the ID the fake API gives the agent's host. The agent delays
// its first run of the plugins by a few seconds derived from the ID; this
// one makes the delay zero.
const hostID = "fakeHost080"

// A scenario brings one marked README block to life.
type scenario struct {
	// targets maps each example address of the block to the loopback
	// fixture standing in for it (see Runnable).
	targets map[string]string
	// ready reports whether everything check looks at has arrived.
	ready func(api *FakeAPI) bool
	// check asserts what reached the API; block is the README's text.
	check func(t *testing.T, api *FakeAPI, block string)
}

// scenarios has one entry per README block marked
// <!-- agent-test: NAME -->. Every fixture is signed by pki, whose root is
// the only one the plugins trust.
var scenarios = map[string]func(t *testing.T, pki *fixture.PKI) scenario{
	"tls-expiry": tlsExpiry,
}

// TestREADMEConfigsUnderAgent runs every marked README block under the real
// mackerel-agent at once and checks what each sent to Mackerel.
func TestREADMEConfigsUnderAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs mackerel-agent")
	}
	if d := InitialWait(hostID); d != 0 {
		t.Fatalf("host ID %s makes the agent wait %s before its first run; pick another", hostID, d)
	}
	blocks := READMEBlocks(t)
	var names []string
	for name := range blocks {
		if scenarios[name] == nil {
			t.Errorf("README.md marks a block %q, but agent_test.go has no scenario for it", name)
		}
		names = append(names, name)
	}
	for name := range scenarios {
		if _, ok := blocks[name]; !ok {
			t.Errorf("agent_test.go has a scenario %q, but README.md marks no such block", name)
		}
	}
	if t.Failed() {
		return
	}
	slices.Sort(names)
	agent := InstallAgent(t)

	pki := testutil.NewPKI(t)
	runs := map[string]scenario{}
	var configs []string
	for _, name := range names {
		sc := scenarios[name](t, pki)
		runs[name] = sc
		configs = append(configs, Runnable(t, blocks[name], sc.targets))
	}
	api := NewFakeAPI(t, hostID)
	conf := WriteAgentConfig(t, api.URL, configs...)
	t.Cleanup(func() {
		if t.Failed() {
			config, _ := os.ReadFile(conf)
			t.Logf("config:\n%s\nrequests:\n%s", config, api.Dump())
		}
	})
	ConfigTest(t, agent, conf)

	start := time.Now()
	a := StartAgent(t, agent, conf, trustOnly(t, pki.Root)...)
	a.Await(t, 30*time.Second, "host update and report of every scenario", func() bool {
		if !api.HostUpdated() {
			return false
		}
		for _, sc := range runs {
			if !sc.ready(api) {
				return false
			}
		}
		return true
	})
	t.Logf("everything arrived %s after the agent started", time.Since(start).Round(time.Millisecond))
	a.Stop()

	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			runs[name].check(t, api, blocks[name])
		})
	}
	if unfaked := api.Unfaked(); len(unfaked) > 0 {
		t.Errorf("the agent called what the fake API does not answer: %s", strings.Join(unfaked, ", "))
	}
}

// trustOnly is the environment that makes the plugins trust root and
// nothing else.
func trustOnly(t *testing.T, root *fixture.Cert) []string {
	file := testutil.WriteFile(t, "root.pem", fixture.PEM(root))
	return []string{"SSL_CERT_FILE=" + file, "SSL_CERT_DIR=" + filepath.Join(t.TempDir(), "none")}
}

// tlsExpiry serves the README's www host a certificate that expires within
// the block's -w and its mail host one that does not, so the check reports
// WARNING, which the agent sends at once.
func tlsExpiry(t *testing.T, pki *fixture.PKI) scenario {
	www := testutil.Leaf(t, pki, 20.5)
	mail := testutil.Leaf(t, pki, 60.5)
	serve := func(leaf *fixture.Cert, starttls string) string {
		return ServeLocalhost(t, func(addr string) (*fixture.Server, error) {
			return fixture.ServeTLS(fixture.TLSOptions{Addr: addr, Chain: []*fixture.Cert{leaf, pki.Intermediate}, StartTLS: starttls})
		})
	}
	wwwAddr, mailAddr := serve(www, ""), serve(mail, "smtp")
	const name = "tls-expiry"
	return scenario{
		targets: map[string]string{"www.example.com": wwwAddr, "mail.example.com:587": mailAddr},
		ready: func(api *FakeAPI) bool {
			_, ok := api.CheckReport(name)
			return ok
		},
		check: func(t *testing.T, api *FakeAPI, block string) {
			r, _ := api.CheckReport(name)
			checkReportSource(t, api, block, r)
			if r.Status != "WARNING" {
				t.Errorf("status %s, want WARNING", r.Status)
			}
			// The plugin names the address it connected to: the first
			// that localhost resolves to.
			var wants []string
			for _, ip := range []string{"127.0.0.1", "::1"} {
				wants = append(wants, fmt.Sprintf("TLS WARNING: %s [%s] leaf CN=localhost (issuer Test Intermediate) expires in 20 days (%s), warning below 30 days\n"+
					"OK: 1 more target\n", wwwAddr, ip, www.NotAfter.UTC().Format(time.RFC3339)))
			}
			if !slices.Contains(wants, r.Message) {
				t.Errorf("message:\n%q\nwant:\n%q", r.Message, wants[0])
			}
			checkMemo(t, api, block, name)
		},
	}
}

// checkReportSource asserts that a report is the block's check, filed
// under the agent's host, with the block's max_check_attempts.
func checkReportSource(t *testing.T, api *FakeAPI, block string, r CheckReport) {
	t.Helper()
	if !strings.Contains(block, "[plugin.checks."+r.Name+"]\n") {
		t.Errorf("report named %q, which is not the block's check:\n%s", r.Name, block)
	}
	if r.Source.Type != "host" || r.Source.HostID != api.HostID {
		t.Errorf("report filed under %s %q, want host %q", r.Source.Type, r.Source.HostID, api.HostID)
	}
	if strings.Contains(block, "\nmax_check_attempts = ") &&
		!strings.Contains(block, fmt.Sprintf("\nmax_check_attempts = %d\n", r.MaxCheckAttempts)) {
		t.Errorf("report carries maxCheckAttempts %d, not the block's", r.MaxCheckAttempts)
	}
}

// checkMemo asserts that the host's check list carries the check's memo as
// the block writes it, in the registration and in the update every start
// sends. The block is searched for the line that the memo the API received
// is written as, which compares without parsing TOML (a memo written other
// than as a one-line basic string fails here).
func checkMemo(t *testing.T, api *FakeAPI, block, name string) {
	t.Helper()
	updates := api.HostUpdates()
	if len(updates) == 0 {
		t.Errorf("the agent sent no host update")
	}
	for _, u := range updates {
		i := slices.IndexFunc(u.Checks, func(c HostCheck) bool { return c.Name == name })
		if i < 0 {
			t.Errorf("the host's check list (%s) lacks %q: %v", u.Method, name, u.Checks)
			continue
		}
		switch memo := u.Checks[i].Memo; {
		case memo == "":
			t.Errorf("the host's check list (%s) has %q without a memo", u.Method, name)
		case !strings.Contains(block, "\nmemo = "+strconv.Quote(memo)+"\n"):
			t.Errorf("the API got memo %q (%s), not the block's:\n%s", memo, u.Method, block)
		}
	}
}
