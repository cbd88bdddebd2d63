//go:build linux

// Linux only: the plugins trust the fixtures' root through SSL_CERT_FILE,
// which only their Linux trust store honours.

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// hostID is the ID the fake API gives the agent's host. The agent delays
// its first run of the plugins by a few seconds derived from the ID; this
// one makes the delay zero.
const hostID = "fakeHost080"

// A scenario brings one marked README block to life.
type scenario struct {
	// replace maps strings of the block to what runs here: each example
	// address to the loopback fixture standing in for it, and whatever
	// else the test cannot run as written (see Runnable).
	replace map[string]string
	// copies, when set, runs the block once per entry instead of once
	// with replace, each copy with its own replacements: one block, tried
	// in several situations by one agent. A copy renames the check.
	copies []map[string]string
	// ready reports whether everything check looks at has arrived; log is
	// what the agent has logged so far.
	ready func(api *FakeAPI, log string) bool
	// check asserts what reached the API; block is the README's text.
	check func(t *testing.T, api *FakeAPI, block string)
}

// scenarios has one entry per README block marked
// <!-- agent-test: NAME -->. Every fixture is signed by pki, whose root is
// the only one the plugins trust.
//
// The agent posts a check's first report at once only when it is not OK
// (an OK waits for the minute's batch), so every scenario makes its checks
// WARNING or CRITICAL: the whole run then takes a few seconds.
var scenarios = map[string]func(t *testing.T, pki *fixture.PKI) scenario{
	"tls-expiry":  tlsExpiry,
	"tls-reload":  tlsReload,
	"tls-shop":    tlsShop,
	"tls-all":     tlsAll,
	"tls-api":     tlsAPI,
	"http-health": httpHealth,
	"login":       login,

	"process-worker": processWorker,
	"recover-nginx":  recoverNginx,
}

// TestREADMEBlocksHaveScenarios is the part of the test below that needs no
// agent, so that -short still catches an agent config that is not tested.
func TestREADMEBlocksHaveScenarios(t *testing.T) {
	pairScenarios(t, READMEBlocks(t))
}

// TestEveryPluginREADMEHasAgentBlocks: a plugin's README shows how to run
// it under the agent, and that config is run under the agent here; a new
// plugin folder without one fails.
func TestEveryPluginREADMEHasAgentBlocks(t *testing.T) {
	found := map[string]int{}
	for _, b := range markedBlocks(t) {
		found[b.file]++
	}
	for _, plugin := range testutil.PluginDirs(t) {
		// What mkr installs on hosts runs under the agent; frontline runs in
		// the ops repository, and its README's walkthrough runs the agent on
		// what it generates.
		if !strings.HasPrefix(plugin, "check-") && !strings.HasPrefix(plugin, "mackerel-plugin-") {
			continue
		}
		if readme := plugin + "/README.md"; found[readme] == 0 {
			t.Errorf("%s has no mackerel-agent.conf block marked <!-- agent-test: NAME -->: add one, and a scenario in agent_test.go", readme)
		}
	}
}

// pairScenarios fails the test for a marked block without a scenario or a
// scenario without a block, and returns the blocks' names in order.
func pairScenarios(t *testing.T, blocks map[string]string) []string {
	t.Helper()
	var names []string
	for name := range blocks {
		if scenarios[name] == nil {
			t.Errorf("the documentation marks a block %q, but agent_test.go has no scenario for it", name)
		}
		names = append(names, name)
	}
	for name := range scenarios {
		if _, ok := blocks[name]; !ok {
			t.Errorf("agent_test.go has a scenario %q, but no Markdown file marks such a block", name)
		}
	}
	slices.Sort(names)
	return names
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
	names := pairScenarios(t, blocks)
	if t.Failed() {
		return
	}
	agent := InstallAgent(t)

	pki := testutil.NewPKI(t)
	runs := map[string]scenario{}
	var configs []string
	for _, name := range names {
		sc := scenarios[name](t, pki)
		runs[name] = sc
		if sc.copies == nil {
			configs = append(configs, Runnable(t, blocks[name], sc.replace))
		}
		for _, replace := range sc.copies {
			configs = append(configs, Runnable(t, blocks[name], replace))
		}
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
		log := a.Log()
		for _, sc := range runs {
			if !sc.ready(api, log) {
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
	wwwAddr, mailAddr := serveLocalhost(t, pki, www, ""), serveLocalhost(t, pki, mail, "smtp")
	const name = "tls-expiry"
	return reportedCheck(name, map[string]string{"www.example.com": wwwAddr, "mail.example.com:587": mailAddr},
		func(t *testing.T, api *FakeAPI, block string, r CheckReport) {
			checkStatus(t, r, "WARNING", oneOf(func(ip string) string {
				return fmt.Sprintf("TLS WARNING: %s [%s] %s\nOK: 1 more target\n", wwwAddr, ip, expires(www, "warning below 30 days"))
			}))
			checkMemo(t, api, block, name)
		})
}

// reloadCase is one situation the README's reload action meets.
type reloadCase struct {
	name string
	// servedDays and onDiskDays are the days left of the certificate the
	// listener serves and of the --expect-file's; onDiskDays 0 means the
	// file holds the served certificate.
	servedDays, onDiskDays float64
	// acted is the finding the action already reloaded for, as its state
	// file holds it: "" for none, "renewal" for the one this case shows,
	// anything else verbatim.
	acted  string
	status string
	reload bool
}

// tlsReload runs the README's reload block in each situation below at
// once, as copies renamed tls-reload-NAME, each with its own fixture,
// --expect-file and action state. The action's `systemctl reload nginx`
// becomes a command that appends a line to a file of the copy's, and its
// state file is moved into the copy's folder: the test counts the lines to
// learn whether the action reloaded. A reload is due exactly when the
// check found a renewal on disk that the action has not acted on yet,
// whatever the status.
func tlsReload(t *testing.T, pki *fixture.PKI) scenario {
	cases := []reloadCase{
		// Under -c and renewed: CRITICAL, and a reload is what helps.
		{name: "critical-renewed", servedDays: 10.5, onDiskDays: 89.5, status: "CRITICAL", reload: true},
		// Under -w, nothing renewed: a WARNING no reload helps. A finding
		// acted on before is forgotten, so that its return reloads again.
		{name: "warning-not-renewed", servedDays: 20.5, acted: "renewed on disk (an earlier one)", status: "WARNING"},
		// Healthy but renewed: WARNING, reload.
		{name: "warning-renewed", servedDays: 60.5, onDiskDays: 89.5, status: "WARNING", reload: true},
		// The same, on a later run: reloaded already, not again.
		{name: "warning-renewed-acted", servedDays: 60.5, onDiskDays: 89.5, acted: "renewal", status: "WARNING"},
	}
	type copyOf struct {
		reloadCase
		addr, expectFile, reloads, state string
		served, onDisk                   *fixture.Cert
	}
	var copies []copyOf
	var replaces []map[string]string
	for _, c := range cases {
		dir := t.TempDir()
		cp := copyOf{reloadCase: c, reloads: filepath.Join(dir, "reloads"), state: filepath.Join(dir, "tls-reload.finding")}
		cp.served = testutil.Leaf(t, pki, c.servedDays)
		cp.onDisk = cp.served
		if c.onDiskDays != 0 {
			cp.onDisk = testutil.Leaf(t, pki, c.onDiskDays)
		}
		// IPv4 only, as the nginx of the README's trouble: where localhost
		// is ::1 first, the plugin must fall back to 127.0.0.1.
		srv := testutil.ServeTLS(t, fixture.TLSOptions{Addr: "127.0.0.1:0", Chain: []*fixture.Cert{cp.served, pki.Intermediate}})
		cp.addr = fmt.Sprintf("localhost:%d", srv.Port())
		cp.expectFile = filepath.Join(dir, "www.pem")
		writeFile(t, cp.expectFile, string(fixture.PEM(cp.onDisk, pki.Intermediate)))
		switch c.acted {
		case "":
		case "renewal":
			writeFile(t, cp.state, renewalFinding(cp.expectFile, cp.served, cp.onDisk)+"\n")
		default:
			writeFile(t, cp.state, c.acted+"\n")
		}
		copies = append(copies, cp)
		replaces = append(replaces, map[string]string{
			"plugin.checks.tls-reload":                   "plugin.checks.tls-reload-" + c.name,
			`"localhost"`:                                strconv.Quote(cp.addr),
			"www.example.com":                            "localhost",
			"/etc/nginx/tls/www.example.com.pem":         cp.expectFile,
			"/var/lib/mackerel-agent/tls-reload.finding": cp.state,
			"systemctl reload nginx":                     "echo reloaded >> " + cp.reloads,
		})
	}
	return scenario{
		copies: replaces,
		ready: func(api *FakeAPI, log string) bool {
			for _, c := range copies {
				name := "tls-reload-" + c.name
				// The agent runs the action beside posting the report, and
				// logs how it ended.
				if _, ok := api.CheckReport(name); !ok || !strings.Contains(log, fmt.Sprintf("Checker %q action stdout:", name)) {
					return false
				}
			}
			return true
		},
		check: func(t *testing.T, api *FakeAPI, block string) {
			for _, c := range copies {
				t.Run(c.name, func(t *testing.T) {
					name := "tls-reload-" + c.name
					r, _ := api.CheckReport(name)
					checkReportSource(t, block, "tls-reload", r, api.HostID)
					// Each line that is not OK carries its own status.
					label := c.addr + " [127.0.0.1]"
					var message string
					if c.status == "CRITICAL" {
						message += "TLS CRITICAL: " + label + " " + expires(c.served, "critical below 14 days") + "\n"
					} else if c.onDisk == c.served {
						message += "TLS WARNING: " + label + " " + expires(c.served, "warning below 30 days") + "\n"
					}
					if c.onDisk != c.served {
						message += "TLS WARNING: " + label + " " + renewalFinding(c.expectFile, c.served, c.onDisk) + "\n"
					}
					checkStatus(t, r, c.status, []string{message})
					checkMemo(t, api, block, name)

					reloads, _ := os.ReadFile(c.reloads)
					switch n := strings.Count(string(reloads), "reloaded\n"); {
					case c.reload && n != 1:
						t.Errorf("the action reloaded %d times, want once", n)
					case !c.reload && n != 0:
						t.Errorf("the action reloaded %d times, want never", n)
					}
					state, err := os.ReadFile(c.state)
					switch {
					case c.onDisk == c.served && !os.IsNotExist(err):
						t.Errorf("the action kept its state %q (%v) with no renewal found; want it removed", state, err)
					case c.onDisk != c.served && string(state) != renewalFinding(c.expectFile, c.served, c.onDisk)+"\n":
						t.Errorf("the action's state is %q (%v), want the finding it acted on", state, err)
					}
				})
			}
		},
	}
}

// renewalFinding is the --expect-file finding from "renewed on disk" on,
// what the reload action keys on and keeps.
func renewalFinding(path string, served, onDisk *fixture.Cert) string {
	return fmt.Sprintf("renewed on disk (%s, NotAfter %s) but the listener still serves the old certificate (NotAfter %s): reload the server",
		path, stamp(onDisk), stamp(served))
}

// tlsShop serves the README's shop host a certificate within -w on every
// address of localhost. Its report must be filed under the host the API
// gave for the block's custom_identifier, and the check must stay out of
// the agent's own host's check list.
func tlsShop(t *testing.T, pki *fixture.PKI) scenario {
	shop := testutil.Leaf(t, pki, 20.5)
	addr := serveLocalhost(t, pki, shop, "")
	const name, identifier = "tls-shop", "shop.example.com"
	return scenario{
		// The custom_identifier stays as written: only the command's host
		// is a fixture.
		replace: map[string]string{`"-H", "shop.example.com"`: `"-H", "` + addr + `"`},
		ready:   reported(name),
		check: func(t *testing.T, api *FakeAPI, block string) {
			if !strings.Contains(block, "\ncustom_identifier = "+strconv.Quote(identifier)+"\n") {
				t.Fatalf("the block does not file under %q:\n%s", identifier, block)
			}
			if !slices.Contains(api.CustomIdentifierLookups(), identifier) {
				t.Errorf("the agent never looked up the host of custom_identifier %q", identifier)
			}
			r, _ := api.CheckReport(name)
			checkReportSource(t, block, name, r, CustomHostID(identifier))
			// --all-addresses: one line for each address of localhost.
			ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", "localhost")
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, ip := range ips {
				lines = append(lines, fmt.Sprintf("TLS WARNING: %s [%s] %s", addr, ip.Unmap(), expires(shop, "warning below 30 days")))
			}
			if r.Status != "WARNING" {
				t.Errorf("status %s, want WARNING", r.Status)
			}
			got := strings.Split(strings.TrimSuffix(r.Message, "\n"), "\n")
			slices.Sort(got)
			slices.Sort(lines)
			if !slices.Equal(got, lines) {
				t.Errorf("message:\n%q\nwant these lines in any order:\n%q", r.Message, lines)
			}
			for _, u := range api.HostUpdates() {
				if slices.ContainsFunc(u.Checks, func(c HostCheck) bool { return c.Name == name }) {
					t.Errorf("the agent's own host's check list (%s) has %q, which is filed under another host", u.Method, name)
				}
			}
		},
	}
}

// tlsAll gives one of the block's three hosts a certificate within -w: the
// one monitor reports it, and the other two in one line.
func tlsAll(t *testing.T, pki *fixture.PKI) scenario {
	www := testutil.Leaf(t, pki, 20.5)
	wwwAddr := serveLocalhost(t, pki, www, "")
	apiAddr := serveLocalhost(t, pki, testutil.Leaf(t, pki, 60.5), "")
	adminAddr := serveLocalhost(t, pki, testutil.Leaf(t, pki, 90.5), "")
	return reportedCheck("tls-all", map[string]string{"www.example.com": wwwAddr, "api.example.com": apiAddr, "admin.example.com": adminAddr},
		func(t *testing.T, _ *FakeAPI, _ string, r CheckReport) {
			checkStatus(t, r, "WARNING", oneOf(func(ip string) string {
				return fmt.Sprintf("TLS WARNING: %s [%s] %s\nOK: 2 more targets\n", wwwAddr, ip, expires(www, "warning below 30 days"))
			}))
		})
}

// tlsAPI gives the block's one host a certificate within -c.
func tlsAPI(t *testing.T, pki *fixture.PKI) scenario {
	leaf := testutil.Leaf(t, pki, 10.5)
	addr := serveLocalhost(t, pki, leaf, "")
	const name = "tls-api"
	return reportedCheck(name, map[string]string{"api.example.com": addr},
		func(t *testing.T, api *FakeAPI, block string, r CheckReport) {
			checkStatus(t, r, "CRITICAL", oneOf(func(ip string) string {
				return fmt.Sprintf("TLS CRITICAL: %s [%s] %s\n", addr, ip, expires(leaf, "critical below 14 days"))
			}))
			checkMemo(t, api, block, name)
		})
}

// httpHealth serves the block's health endpoint over HTTPS, answering
// 200 with a body whose status the block's --jq refuses: CRITICAL, with
// the memo.
func httpHealth(t *testing.T, pki *fixture.PKI) scenario {
	leaf := testutil.Leaf(t, pki, 60.5)
	health := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"degraded","db":"down"}`)
	})
	addr := ServeLocalhost(t, func(addr string) (*fixture.HTTPServer, error) {
		return fixture.StartHTTP(health, fixture.HTTPOptions{Addr: addr, Chain: []*fixture.Cert{leaf, pki.Intermediate}})
	})
	const name = "http-health"
	return reportedCheck(name, map[string]string{"app.example.com": addr},
		func(t *testing.T, api *FakeAPI, block string, r CheckReport) {
			// The timings after "dns" change from run to run.
			checkStatusHas(t, r, "CRITICAL", strings.Contains, `HTTP CRITICAL: jq '.status == "ok"' got "degraded"`, "(GET https://"+addr+"/health 200 OK; dns ")
			checkMemo(t, api, block, name)
		})
}

// login runs the README's journey block against the login app broken at
// its JSON API, with the README's scenario file pointed at the app. The app
// accepts only the credentials of the block's env, so the journey gets past
// signing in only if the agent handed them to the plugin: CRITICAL at step
// 3, with the memo, and the password nowhere in what reached the API.
func login(t *testing.T, _ *fixture.PKI) scenario {
	env := blockEnv.FindStringSubmatch(readmeBlock(t, "login"))
	if env == nil {
		t.Fatalf("the login block has no env = { E2E_USER = ..., E2E_PASSWORD = ... } line")
	}
	user, password := env[1], env[2]
	app := &fixture.LoginApp{User: user, Password: password, Name: "monitor", Break: "api"}
	addr := ServeLocalhost(t, func(addr string) (*fixture.HTTPServer, error) {
		return fixture.StartHTTP(app, fixture.HTTPOptions{Addr: addr})
	})
	// The README's example journey (internal/plugin/httpcheck's tests hold the two
	// equal).
	yml := fixture.LoginJourney("http://" + addr)
	scenarioFile := testutil.WriteFile(t, "login.yml", []byte(yml))
	const name = "login"
	return reportedCheck(name, map[string]string{"/etc/mackerel-agent/scenarios/login.yml": scenarioFile},
		func(t *testing.T, api *FakeAPI, block string, r CheckReport) {
			checkStatusHas(t, r, "CRITICAL", strings.HasPrefix,
				`HTTP CRITICAL: login step 3/4 "profile api": jq '.name == "monitor"' got "guest" (GET http://`+addr+"/api/me 200, total ")
			checkMemo(t, api, block, name)
			for _, c := range api.Calls() {
				if strings.Contains(c.Path+"?"+c.Query, password) || bytes.Contains(c.Body, []byte(password)) {
					t.Errorf("the password from the block's env reached the API in %s:\n%s", c, c.Body)
				}
			}
		})
}

// blockEnv finds the credentials of the login block's env table.
var blockEnv = regexp.MustCompile(`(?m)^env = \{ E2E_USER = "([^"]+)", E2E_PASSWORD = "([^"]+)" \}$`)

// readmeBlock is the README's block marked name.
func readmeBlock(t *testing.T, name string) string {
	t.Helper()
	block, ok := READMEBlocks(t)[name]
	if !ok {
		t.Fatalf("no Markdown file marks a block %q", name)
	}
	return block
}

// serveLocalhost serves leaf under pki's intermediate on localhost (see
// ServeLocalhost), speaking STARTTLS proto first if not "".
func serveLocalhost(t *testing.T, pki *fixture.PKI, leaf *fixture.Cert, proto string) string {
	return ServeLocalhost(t, func(addr string) (*fixture.Server, error) {
		return fixture.ServeTLS(fixture.TLSOptions{Addr: addr, Chain: []*fixture.Cert{leaf, pki.Intermediate}, StartTLS: proto})
	})
}

// reportedCheck is the scenario of a block whose one check, name, is
// ready once it has reported: check is given its report, already held to
// the block by checkReportSource.
func reportedCheck(name string, replace map[string]string, check func(t *testing.T, api *FakeAPI, block string, r CheckReport)) scenario {
	return scenario{
		replace: replace,
		ready:   reported(name),
		check: func(t *testing.T, api *FakeAPI, block string) {
			r, _ := api.CheckReport(name)
			checkReportSource(t, block, name, r, api.HostID)
			check(t, api, block, r)
		},
	}
}

// reported is ready once the check name has reported.
func reported(name string) func(*FakeAPI, string) bool {
	return func(api *FakeAPI, _ string) bool {
		_, ok := api.CheckReport(name)
		return ok
	}
}

// oneOf is a message for each address a localhost fixture may have been
// reached at: the first that localhost resolves to, which depends on the
// machine.
func oneOf(message func(ip string) string) []string {
	return []string{message("127.0.0.1"), message("::1")}
}

// expires is how the plugin words a leaf of the test PKI under a threshold.
func expires(leaf *fixture.Cert, threshold string) string {
	days := int(time.Until(leaf.NotAfter).Hours() / 24)
	return fmt.Sprintf("leaf CN=localhost (issuer Test Intermediate) expires in %d days (%s), %s", days, stamp(leaf), threshold)
}

func stamp(c *fixture.Cert) string { return c.NotAfter.UTC().Format(time.RFC3339) }

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkStatus asserts a report's status and that its message is one of
// wants.
func checkStatus(t *testing.T, r CheckReport, status string, wants []string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %s, want %s", r.Status, status)
	}
	if !slices.Contains(wants, r.Message) {
		t.Errorf("message:\n%q\nwant:\n%q", r.Message, wants[0])
	}
}

// checkStatusHas asserts a report's status and that has(message, want)
// holds for each of wants: for messages with timings, which change from
// run to run.
func checkStatusHas(t *testing.T, r CheckReport, status string, has func(message, want string) bool, wants ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %s, want %s", r.Status, status)
	}
	for _, want := range wants {
		if !has(r.Message, want) {
			t.Errorf("message:\n%s\ndoes not match:\n%s", r.Message, want)
		}
	}
}

// checkReportSource asserts that a report is of the block's check name,
// filed under hostID, with the block's max_check_attempts.
func checkReportSource(t *testing.T, block, name string, r CheckReport, hostID string) {
	t.Helper()
	if !strings.Contains(block, "[plugin.checks."+name+"]\n") {
		t.Errorf("the block has no check %q:\n%s", name, block)
	}
	if r.Name == "" {
		t.Errorf("no report of %q", name)
	}
	if r.Source.Type != "host" || r.Source.HostID != hostID {
		t.Errorf("report filed under %s %q, want host %q", r.Source.Type, r.Source.HostID, hostID)
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
