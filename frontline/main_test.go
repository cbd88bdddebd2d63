package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func run(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, testutil.Binary(t, "frontline"), nil, args...)
}

const example = "../examples/catalog/catalog.yaml"

// write puts text in a file of a fresh folder and returns its path.
func write(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const good = `services:
  shop:
    owner: "@shop"
    runbook: https://wiki.example.com/shop
    roles: [web]
    process:
      - name: nginx
        select: {name: nginx}
        action: restart nginx
`

func TestCheckClean(t *testing.T) {
	r := run(t, "check", example)
	r.Expect(t, 0)
	if r.Stdout != "" {
		t.Errorf("a clean catalog printed %q", r.Stdout)
	}
}

// Every kind of bad input is a finding at its place, exit 1, and nothing
// else.
func TestCheckFindings(t *testing.T) {
	bomb := "services:\n  a: &a [x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 0; i < 9; i++ {
		n := fmt.Sprintf("b%d", i)
		bomb += fmt.Sprintf("  %s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", n, n, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = n
	}
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"malformed", "services:\n  shop: [\n", []string{":2:9: not valid YAML"}},
		{"unknown key", strings.Replace(good, "    roles:", "    colour: blue\n    roles:", 1), []string{`:5:5: unknown key "colour" in service shop`}},
		{"wrong type", strings.Replace(good, `owner: "@shop"`, "owner: [a, b]", 1), []string{":3:12: owner must be text, not a list"}},
		{"no owner or runbook", "services:\n  shop:\n    roles: [web]\n    process: [{name: p, select: {name: p}, action: x}]\n", []string{":2:3: service shop has no owner", ":2:3: service shop has no runbook"}},
		{"no action", strings.Replace(good, "        action: restart nginx\n", "", 1), []string{":7:9: process item nginx alerts but has no action"}},
		{"memo", strings.Replace(good, "restart nginx", strings.Repeat("restart nginx ", 20), 1), []string{"over Mackerel's 250"}},
		{"threshold order", good + "    tls:\n      - {name: www, target: www.example.com, warning: 7, critical: 14, action: renew}\n", []string{":11:58: critical 14 is more than warning 7"}},
		{"timeout", "defaults: {timeout: 90s}\n" + good, []string{":1:12: timeout 1m30s is not under check_interval 1m0s"}},
		{"role without item", strings.Replace(strings.Replace(good, "roles: [web]", "roles: [web, db]", 1), "        action: restart nginx\n", "        action: restart nginx\n        roles: [web]\n", 1), []string{":5:18: role shop:db runs no item"}},
		{"secret", good + "    http:\n      - name: api\n        url: https://api.example.com/\n        headers: {Authorization: Bearer s3cr3t-value}\n        action: x\n", []string{":13:19: the value of header Authorization is written in the catalog: use ${env:NAME}"}},
		{"scenario", good + "    http:\n      - {name: j, scenario: missing.yaml, action: x}\n", []string{":11:19: scenario missing.yaml does not load"}},
		{"plugin refuses", strings.Replace(good, "{name: nginx}", `{pattern: "("}`, 1), []string{"check-process would refuse the arguments of shop-process-nginx"}},
		{"tls refuses", good + "    tls:\n      - {name: mail, target: mail.example.com, action: x, args: [--starttls, smtpx, --cert-file, c.pem]}\n",
			[]string{`check-tls-expiry would refuse the arguments of shop-tls-mail: --starttls: unknown STARTTLS protocol "smtpx": use one of ftp, imap, ldap, mysql, pop3, postgres, smtp`}},
		{"tls refuses a pair", good + "    tls:\n      - {name: mail, target: mail.example.com, action: x, args: [--cert-file, c.pem]}\n",
			[]string{"check-tls-expiry would refuse the arguments of shop-tls-mail: --cert-file and --key-file go together"}},
		{"http refuses", good + "    http:\n      - {name: api, url: https://api.example.com/, action: x, args: [--http1.1, --http2]}\n",
			[]string{"check-http-e2e would refuse the arguments of shop-http-api: --http1.1 and --http2 conflict"}},
		{"http refuses a pattern", good + "    http:\n      - {name: api, url: https://api.example.com/, action: x, expect: {pattern: [\"a(?=b)\"]}}\n",
			[]string{"check-http-e2e would refuse the arguments of shop-http-api: -p: regular expression \"a(?=b)\""}},
		{"http refuses a status", good + "    http:\n      - {name: api, url: https://api.example.com/, action: x, expect: {status: \"200=fine\"}}\n",
			[]string{"check-http-e2e would refuse the arguments of shop-http-api: -s: "}},
		{"http refuses a scenario with the flags of one request", good + "    http:\n      - {name: j, scenario: j.yaml, action: x, args: [--contains, ok]}\n",
			[]string{"check-http-e2e would refuse the arguments of shop-http-j: --contains applies to one request (-u), not to --scenario"}},
		{"deep", "services:\n  shop: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n", []string{"nesting deeper than 32 levels"}},
		{"alias bomb", bomb, []string{"service a must be a mapping", "service b8 must be a mapping"}},
		{"empty", "# nothing yet\n", []string{":1:1: the catalog lists no services"}},
		{"recover window of nothing", strings.Replace(good, "        action: restart nginx\n", "        action: restart nginx\n        recover: {run: systemctl restart nginx, at_most: 3/0m}\n", 1),
			[]string{`:10:18: recover.at_most "3/0m": the window must be at least one m`}},
		{"secret in recover", strings.Replace(good, "        action: restart nginx\n", "        action: restart nginx\n        recover: {run: \"curl -H 'Authorization: Bearer s3cr3t-value' https://ops.example.com/restart\", at_most: 3/h}\n", 1),
			[]string{":10:18: the value of header Authorization in recover.run is written in the catalog"}},
		{"password in recover", strings.Replace(good, "        action: restart nginx\n", "        action: restart nginx\n        recover: {run: \"curl --user ops:s3cr3t-value https://ops.example.com/restart\", at_most: 3/h}\n", 1),
			[]string{":10:18: the password in recover.run is written in the catalog"}},
		{"password in a URL of recover", strings.Replace(good, "        action: restart nginx\n", "        action: restart nginx\n        recover: {run: \"curl -fsS https://ops:s3cr3t-value@127.0.0.1:9/restart\", at_most: 3/h}\n", 1),
			[]string{":10:18: the password in a URL in recover.run is written in the catalog"}},
		{"password in a target", good + "    tls:\n      - {name: www, target: \"admin:s3cr3t-value@www.example.com\", action: x}\n",
			[]string{"the password in target is written in the catalog"}},
		{"password in a url that does not parse", good + "    http:\n      - {name: api, url: \"https://admin:Ht/tps3cr3t-value@www.example.com/\", action: x}\n",
			[]string{"the password in url is written in the catalog", "is not an http:// or https:// URL"}},
		{"token in the query of a url that is not http", good + "    http:\n      - {name: api, url: \"ftp://www.example.com/?api_key=s3cr3t-value\", action: x}\n",
			[]string{"the query parameter api_key of url is written in the catalog", "is not an http:// or https:// URL"}},
		{"duplicate item", good + "      - {name: nginx, select: {name: nginx}, action: x}\n", []string{":10:9: process item \"nginx\" of service shop is already defined at"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, "catalog.yaml", tt.text)
			r := run(t, "check", path)
			wants := make([]string, len(tt.want))
			for i, w := range tt.want {
				if strings.HasPrefix(w, ":") {
					w = path + w
				}
				wants[i] = w
			}
			r.Expect(t, 1, wants...)
			if strings.Contains(r.Stdout, "s3cr3t") {
				t.Errorf("a finding prints the secret:\n%s", r.Stdout)
			}
			for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
				if !strings.HasPrefix(line, path+":") {
					t.Errorf("finding %q is not FILE:LINE:COL: message", line)
				}
			}
		})
	}
}

// A journey's scenario file is checked as check-http-e2e loads it, each
// problem one finding at its place in the scenario file; its ${env:} and
// ${file:} references are the host's, and only their form is checked.
func TestCheckScenarioFindings(t *testing.T) {
	const head = "name: login\nbase_url: https://shop.example.com\nsteps:\n"
	for _, tt := range []struct {
		name, scenario string
		want           string // after the scenario's path; "" for no finding
	}{
		{"clean", head + "  - get: /login\n    extract: {tok: {regex: 'csrf=(\\w+)'}}\n  - post: /login\n    form: {csrf: '${tok}', password: '${env:SHOP_PASSWORD}'}\n", ""},
		{"unknown key", head + "  - get: /login\n    expext: {status: 200}\n", `:5:5: unknown key "expext" in step 1; known keys: name, method, url, get,`},
		{"bad jq", head + "  - get: /api\n    expect:\n      jq: '.a =='\n", `:6:7: step 1 expect.jq: jq ".a ==": unexpected EOF`},
		{"variable before extraction", head + "  - get: /cart?t=${tok}\n  - get: /login\n    extract: {tok: {jq: .t}}\n", ":4:5: step 1 get uses ${tok}, which step 2 extracts only later: move the extraction before its use"},
		{"bad status", head + "  - get: /\n    expect: {status: 2000}\n", `:5:14: step 1 expect.status: status "2000": "2000" is not an HTTP status code`},
		{"reference without a name", head + "  - get: /\n    headers: {Authorization: 'Bearer ${env:}'}\n", ":5:15: step 1 headers Authorization: ${env:} names no variable"},
		{"port", head + "  - get: https://shop.example.com:70000/\n", `:4:5: step 1 get "https://shop.example.com:70000/": port "70000" is not a number from 1 to 65535`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			scenario := filepath.Join(dir, "journeys", "login.yaml")
			os.MkdirAll(filepath.Dir(scenario), 0o755)
			if err := os.WriteFile(scenario, []byte(tt.scenario), 0o644); err != nil {
				t.Fatal(err)
			}
			cat := filepath.Join(dir, "catalog.yaml")
			os.WriteFile(cat, []byte(good+"    http:\n      - {name: login, scenario: journeys/login.yaml, action: sign in by hand}\n"), 0o644)
			r := run(t, "check", cat)
			if tt.want == "" {
				r.Expect(t, 0)
				if r.Stdout != "" {
					t.Errorf("a clean scenario gave findings:\n%s", r.Stdout)
				}
				return
			}
			r.Expect(t, 1, scenario+tt.want)
			if lines := strings.Split(strings.TrimSpace(r.Stdout), "\n"); len(lines) != 1 {
				t.Errorf("want one finding, got %d:\n%s", len(lines), r.Stdout)
			}
		})
	}
}

// A journey's expectations, method, timings and redirects go in its file:
// the finding names the catalog's keys, not the flags they become.
func TestCheckScenarioItemWithOneRequestKeys(t *testing.T) {
	for _, tt := range []struct{ keys, key, want string }{
		{"expect: {status: 200}", "expect", "a journey's expectations go in its file's steps"},
		{"method: POST", "method", "a journey's methods go in its file's steps"},
		{"critical: 2s", "critical", "a journey's time limits go in its file's steps"},
		{"cert_warning: 14", "cert_warning", "a journey's certificate thresholds go in its file"},
		{"no_follow: true", "no_follow", "a journey's redirects are set in its file's steps"},
	} {
		t.Run(tt.key, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "login.yaml"), []byte("steps:\n  - get: https://shop.example.com/\n"), 0o644)
			cat := filepath.Join(dir, "catalog.yaml")
			os.WriteFile(cat, []byte(good+"    http:\n      - {name: login, scenario: login.yaml, action: x, "+tt.keys+"}\n"), 0o644)
			r := run(t, "check", cat)
			r.Expect(t, 1, "http item login has scenario: and "+tt.key+":: "+tt.want)
			if strings.Contains(r.Stdout, "--scenario") || strings.Contains(r.Stdout, "(-u)") {
				t.Errorf("the finding names flags the catalog never wrote:\n%s", r.Stdout)
			}
			if lines := strings.Split(strings.TrimSpace(r.Stdout), "\n"); len(lines) != 1 {
				t.Errorf("want one finding, got %d:\n%s", len(lines), r.Stdout)
			}
		})
	}
}

func TestCheckHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	line := "# " + strings.Repeat("x", 1022) + "\n"
	for i := 0; i < 10<<10+1; i++ {
		f.WriteString(line)
	}
	f.Close()
	run(t, "check", path).Expect(t, 1, path+":1:1: the file is 10.0 MiB, over the 10 MiB a catalog may be")
}

func TestCheckUnreadable(t *testing.T) {
	r := run(t, "check", filepath.Join(t.TempDir(), "missing.yaml"))
	r.Expect(t, 2)
	if !strings.Contains(r.Stderr, "missing.yaml") {
		t.Errorf("stderr does not name the file: %q", r.Stderr)
	}
	run(t, "check", t.TempDir()).Expect(t, 2)
}

// A FIFO given as the catalog is refused at once: opening it for reading
// would wait for a writer that never comes.
func TestCheckFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "check", path)
	r.Expect(t, 2)
	if !strings.Contains(r.Stderr, "not a regular file") {
		t.Errorf("stderr does not say what the file is: %q", r.Stderr)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"check"}, {"nonsense"}, {"agent-conf", example, "-o", t.TempDir()}, {"agent-conf", example, "--role", "shop", "-o", t.TempDir()}, {"agent-conf", example, "--role", "shop:nope", "-o", t.TempDir()}, {"drill", example, "shop", "nginx"}, {"drill", example, "shop", "nope", "--status", "critical"}, {"drill", example, "shop", "nginx", "--status", "broken"}, {"drill", example, "shop", "nginx", "--status", "critical", "--for", "3h"}, {"incident", example, "nope"}} {
		r := run(t, args...)
		if r.Code != 3 || r.Stdout != "" || !strings.HasPrefix(r.Stderr, "frontline: ") {
			t.Errorf("frontline %s: exit %d, stdout %q, stderr %q; want a usage error, exit 3", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
		}
	}
	run(t, "--help").Expect(t, 0, "Available commands:", "agent-conf", "check", "drill", "incident", "monitors", "schema")
	run(t, "--version").Expect(t, 0, "frontline ")
}

// A catalog with findings generates nothing: the folder stays as it was.
func TestNothingWrittenFromABadCatalog(t *testing.T) {
	bad := write(t, "catalog.yaml", strings.Replace(good, "        action: restart nginx\n", "", 1))
	out := t.TempDir()
	for _, args := range [][]string{{"agent-conf", bad, "--role", "shop:web", "-o", out}, {"generate", bad, "-o", out}, {"monitors", bad, "-o", filepath.Join(out, "m.json")}, {"doc", bad, "-o", filepath.Join(out, "d.md")}} {
		r := run(t, args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, "nothing written") {
			t.Errorf("frontline %s: exit %d, stderr %q", args[0], r.Code, r.Stderr)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a bad catalog left %d files in the output folder", len(entries))
	}
}

// A credential written into a URL or target of the catalog is a finding
// that says where it is, quotes no piece of it, and keeps generate from
// writing it into the agent's files and the document.
func TestCredentialInTheCatalogIsNeverQuoted(t *testing.T) {
	for _, tc := range []struct {
		name, item, secret string
		want               []string
	}{
		{"a password in a URL of recover.run",
			"        recover: {run: \"curl -fsS https://ops:RecUrlS3cretPw56@127.0.0.1:9/restart\", at_most: 3/h}\n",
			"RecUrlS3cretPw56", []string{"the password in a URL in recover.run is written in the catalog"}},
		{"a token in a URL of recover.run",
			"        recover: {run: \"curl -fsS 'https://127.0.0.1:9/restart?x=1&access_token=RecQueryTok3n77'\", at_most: 3/h}\n",
			"RecQueryTok3n77", []string{"the query parameter access_token of a URL in recover.run is written in the catalog"}},
		{"a password in a TLS target",
			"      - {name: tls, select: {name: x}, action: x}\n    tls:\n      - {name: www, target: \"admin:TlsS3cretPw99@www.example.com\", action: x}\n",
			"TlsS3cretPw99", []string{"the password in target is written in the catalog", "has user info"}},
		{"a password in a url that does not parse",
			"      - {name: web, select: {name: x}, action: x}\n    http:\n      - {name: api, url: \"https://admin:Ht/tpS3cretPw99@www.example.com/\", action: x}\n",
			"Ht/tpS3cretPw99", []string{"the password in url is written in the catalog", "is not an http:// or https:// URL"}},
		{"a token in the query of an ftp url",
			"      - {name: web, select: {name: x}, action: x}\n    http:\n      - {name: api, url: \"ftp://admin:FtpPassS3cret34@www.example.com/?api_key=FtpKeyS3cret12\", action: x}\n",
			"FtpKeyS3cret12", []string{"the query parameter api_key of url is written in the catalog", "the password in url is written in the catalog", "is not an http:// or https:// URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat := write(t, "catalog.yaml", strings.Replace(good, "        action: restart nginx\n", "        action: restart nginx\n"+tc.item, 1))
			secrets := []string{tc.secret, "FtpPassS3cret34"}
			r := run(t, "check", cat)
			r.Expect(t, 1, tc.want...)
			r.ExpectNoSecret(t, secrets...)
			out := t.TempDir()
			r = run(t, "generate", cat, "-o", out)
			if r.Code != 1 || !strings.Contains(r.Stderr, "nothing written") {
				t.Errorf("generate: exit %d, stderr %q; want 1 and nothing written", r.Code, r.Stderr)
			}
			r.ExpectNoSecret(t, secrets...)
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("generate wrote %d files from a catalog with a credential", len(entries))
			}
		})
	}
}

func TestAgentConf(t *testing.T) {
	out := t.TempDir()
	run(t, "agent-conf", example, "--role", "shop:web", "-o", out).Expect(t, 0, "frontline-shop-web.conf")
	conf, err := os.ReadFile(filepath.Join(out, "frontline-shop-web.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`[plugin.checks.shop-tls-www]`,
		`command = ["/opt/mackerel-agent/plugins/bin/check-tls-expiry", "-H", "www.example.com:443", "-w", "30d", "-c", "14d", "-t", "10s", "--drill-file", "/var/lib/mackerel-frontline/drill/shop-tls-www"]`,
		`memo = "owner: <!subteam^S0SHOP> shop team\naction: renew with certbot on web1, then reload nginx\nrunbook: https://wiki.example.com/runbooks/shop"`,
		"check_interval = 1\nmax_check_attempts = 3\ntimeout_seconds = 15\n",
		`"--scenario", "/etc/mackerel-agent/conf.d/frontline-shop-http-login.scenario.yaml"`,
		`[plugin.metrics.frontline-shop-web]`,
		`command = ["/opt/mackerel-agent/plugins/bin/mackerel-plugin-app", "--config", "/etc/mackerel-agent/conf.d/frontline-shop-web.app.toml"]`,
	} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("the configuration lacks %s:\n%s", want, conf)
		}
	}
	if strings.Contains(string(conf), "postgres") {
		t.Error("shop:web runs the check of shop:db")
	}
	app, _ := os.ReadFile(filepath.Join(out, "frontline-shop-web.app.toml"))
	if !strings.Contains(string(app), "[process]\nnginx = \"name:nginx\"\n") {
		t.Errorf("app config:\n%s", app)
	}
	if _, err := os.Stat(filepath.Join(out, "frontline-shop-http-login.scenario.yaml")); err != nil {
		t.Errorf("the journey is not written beside the configuration: %v", err)
	}
}

func TestMonitorsDocSchema(t *testing.T) {
	run(t, "monitors", example).Expect(t, 0, `"name": "frontline shop top"`, `"type": "external"`, `"containsString": "<title>Shop"`, `"service": "shop"`, `"headers": []`)
	run(t, "doc", example).Expect(t, 0, "| service | external | TLS | HTTP | process | metrics |", "## shop", "- Owner: &lt;!subteam^S0SHOP&gt; shop team", "### tls www", "The alert reads:", "TLS CRITICAL:", "What to do: renew with certbot")
	run(t, "schema").Expect(t, 0, `"$schema": "https://json-schema.org/draft/2020-12/schema"`, `"additionalProperties": false`)
	out := filepath.Join(t.TempDir(), "monitors.json")
	run(t, "monitors", example, "-o", out).Expect(t, 0)
	stdout := run(t, "monitors", example).Stdout
	if got, _ := os.ReadFile(out); string(got) != stdout {
		t.Error("-o writes other bytes than stdout")
	}
}

func TestIncident(t *testing.T) {
	run(t, "incident", example, "shop", "--item", "nginx").Expect(t, 0, "# Incident: shop process nginx", "- Owner: &lt;!subteam^S0SHOP&gt; shop team", "PROCESS CRITICAL:", "systemctl restart nginx", "## Timeline (UTC)", "- Acknowledged:", "## Impact", "## Communication", "## Retrospective")
	r := testutil.Run(t, testutil.Binary(t, "frontline"), []string{"MACKEREL_CHECK_MESSAGE=PROCESS CRITICAL: nginx: 0 processes"}, "incident", example, "shop", "--item", "process-nginx")
	r.Expect(t, 0, "PROCESS CRITICAL: nginx: 0 processes")
	run(t, "incident", example, "shop", "--message", "all down").Expect(t, 0, "all down", "- tls www: renew", "- process postgres:")
}

// The drill file is what the check reads: the status word and the note,
// dated so that it expires after --for.
func TestDrill(t *testing.T) {
	dir := t.TempDir()
	run(t, "drill", example, "shop", "nginx", "--status", "critical", "--note", "game day\n3", "--for", "30m", "--drill-dir", dir).Expect(t, 0, "shop-process-nginx")
	path := filepath.Join(dir, "shop-process-nginx")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "critical game day 3\n" {
		t.Errorf("drill file holds %q", data)
	}
	fi, _ := os.Stat(path)
	// Two hours is the checks' --drill-max-age: a 30-minute drill is
	// dated 90 minutes back.
	if age := time.Since(fi.ModTime()); age < 89*time.Minute || age > 91*time.Minute {
		t.Errorf("drill file dated %s ago, want 1h30m", age)
	}
	run(t, "drill", example, "shop", "nginx", "--clear", "--drill-dir", dir).Expect(t, 0, "removed")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("--clear left the file: %v", err)
	}
}

// check --generated fails on a stale generated folder, and passes once
// generate has rewritten it.
func TestGeneratedDrift(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "catalog.yaml")
	os.WriteFile(cat, []byte(good), 0o644)
	gen := filepath.Join(dir, "generated")
	run(t, "check", cat, "--generated", gen).Expect(t, 1, "monitors.json:1:1: missing")
	run(t, "generate", cat, "-o", gen).Expect(t, 0, "MONITORING.md", "agent/frontline-shop-web.conf")
	run(t, "check", cat, "--generated", gen).Expect(t, 0)
	os.WriteFile(cat, []byte(strings.Replace(good, "restart nginx", "reload nginx", 1)), 0o644)
	run(t, "check", cat, "--generated", gen).Expect(t, 1, "frontline-shop-web.conf:6:1: differs from what the catalog generates now")
	os.WriteFile(filepath.Join(gen, "agent", "frontline-old-web.conf"), nil, 0o644)
	run(t, "generate", cat, "-o", gen).Expect(t, 0)
	run(t, "check", cat, "--generated", gen).Expect(t, 1, "frontline-old-web.conf:1:1: the catalog no longer generates this file")
}

// What only the host that runs the check can say (does the user exist,
// is the CA file there) is left to it: the catalog is checked elsewhere.
func TestCheckLeavesTheHostItsOwn(t *testing.T) {
	cat := write(t, "catalog.yaml", good+`      - {name: batch, select: {name: batch, user: no-such-user-here}, action: x}
    tls:
      - {name: db, target: db.example.com:5432, action: x, args: [--starttls, postgres, --ca-file, /etc/ssl/private-ca-not-here.pem]}
`)
	run(t, "check", cat).Expect(t, 0)
}

// The document's alert is check-process's own: the binary, run as the
// item's check runs against processes that are not there, prints the
// line the document shows.
func TestDocAlertIsThePluginsOwn(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("check-process reads /proc, which only Linux has")
	}
	pattern := fmt.Sprintf("^frontline-doc-%d-absent ", os.Getpid())
	cat := write(t, "catalog.yaml", `services:
  shop:
    owner: "@shop"
    runbook: https://wiki.example.com/shop
    roles: [web]
    process:
      - name: workers
        select: {pattern: "`+pattern+`"}
        critical_under: 2
        warning_under: 4
        critical_over: 64
        action: restart the workers
`)
	alert := docAlert(t, cat)
	plugin := testutil.Run(t, testutil.Binary(t, "check-process"), nil, "-p", pattern, "--label", "workers", "-C", "2", "-W", "4", "-c", "64")
	plugin.Expect(t, 2)
	if got := strings.TrimSuffix(plugin.Stdout, "\n"); got != alert {
		t.Errorf("the document's alert is not the plugin's:\ndoc:    %q\nplugin: %q", alert, got)
	}
	if !strings.Contains(alert, "0 processes, expected at least 2") {
		t.Errorf("alert %q does not say what the check found and expected", alert)
	}
}

// docAlert is the first line of the alert the document of cat shows.
func docAlert(t *testing.T, cat string) string {
	t.Helper()
	doc := run(t, "doc", cat)
	doc.Expect(t, 0)
	_, after, ok := strings.Cut(doc.Stdout, "The alert reads:\n\n```\n")
	if !ok {
		t.Fatalf("the document shows no alert:\n%s", doc.Stdout)
	}
	alert, _, _ := strings.Cut(after, "\n")
	return alert
}

// sameWords holds the document's alert to the plugin's first line, once
// what differs from run to run (names, dates, timings) is blanked out.
func sameWords(t *testing.T, alert, plugin string, variable ...*regexp.Regexp) {
	t.Helper()
	got, _, _ := strings.Cut(plugin, "\n")
	norm := func(s string) string {
		for _, re := range variable {
			s = re.ReplaceAllString(s, "<"+re.String()+">")
		}
		return s
	}
	if norm(got) != norm(alert) {
		t.Errorf("the document's alert is not worded as the plugin's:\ndoc:    %q\nplugin: %q", alert, got)
	}
}

// The document's TLS alert is check-tls-expiry's own: the binary, run as
// the item's check runs against a certificate with three and a half days
// left, says the same but for the certificate's names and date.
func TestDocTLSAlertIsThePluginsOwn(t *testing.T) {
	pki := testutil.NewPKI(t)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
	addr := testutil.ServeChain(t, testutil.Leaf(t, pki, 3.5), pki.Intermediate)
	cat := write(t, "catalog.yaml", strings.Replace(good, "    process:", `    tls:
      - {name: shop, target: "`+addr+`", critical: "14", action: renew the certificate, args: [--ca-file, `+caFile+`]}
    process:`, 1))
	alert := docAlert(t, cat)

	plugin := testutil.Run(t, testutil.Binary(t, "check-tls-expiry"), nil, "-H", addr, "-c", "14", "--ca-file", caFile)
	plugin.Expect(t, 2)
	sameWords(t, alert, plugin.Stdout,
		regexp.MustCompile(`CN=[^ ]* \(issuer [^)]*\)`),
		regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`))
	if !strings.Contains(alert, addr+" leaf CN=") || !strings.Contains(alert, "expires in 3 days (") || !strings.HasSuffix(alert, "critical below 14 days") {
		t.Errorf("alert %q does not say which certificate, when, and which threshold", alert)
	}
}

// The document's HTTP alert is check-http-e2e's own: the binary, run as
// the item's check runs against a server answering 503, says the same
// but for the timings.
func TestDocHTTPAlertIsThePluginsOwn(t *testing.T) {
	url := testutil.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}), false) + "/health"
	cat := write(t, "catalog.yaml", strings.Replace(good, "    process:", `    http:
      - {name: health, url: "`+url+`", expect: {status: "200"}, action: look at the application log}
    process:`, 1))
	alert := docAlert(t, cat)

	plugin := testutil.Run(t, testutil.Binary(t, "check-http-e2e"), nil, "-u", url, "-s", "200")
	plugin.Expect(t, 2)
	sameWords(t, alert, plugin.Stdout, regexp.MustCompile(`\d+\.\d\ds`))
	if !strings.HasPrefix(alert, "HTTP CRITICAL: status 503 Service Unavailable, expected 200 (GET "+url+" 503 Service Unavailable; dns ") {
		t.Errorf("alert %q does not say the status, what was expected and the request", alert)
	}
}

// The document's journey alert is check-http-e2e's own: the binary, run
// on the item's scenario against a server answering 503, stops at step 1
// with the same line but for the timings. Without name:, the journey is
// named after the file the generated configuration runs it from.
func TestDocJourneyAlertIsThePluginsOwn(t *testing.T) {
	base := testutil.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}), false)
	steps := "base_url: " + base + "\nsteps:\n  - name: sign in\n    get: /login\n  - post: /session\n    form: {user: '${env:SHOP_USER}'}\n  - get: /home\n"
	for _, tt := range []struct{ name, scenario, file, journey string }{
		{"named", "name: login\n" + steps, "login.yaml", "login"},
		{"unnamed", steps, "frontline-shop-http-login.scenario.yaml", "frontline-shop-http-login.scenario"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			scenario := filepath.Join(dir, tt.file)
			os.WriteFile(scenario, []byte(tt.scenario), 0o644)
			cat := filepath.Join(dir, "catalog.yaml")
			os.WriteFile(cat, []byte(strings.Replace(good, "    process:", "    http:\n      - {name: login, scenario: "+tt.file+", action: sign in by hand}\n    process:", 1)), 0o644)
			alert := docAlert(t, cat)

			plugin := testutil.Run(t, testutil.Binary(t, "check-http-e2e"), []string{"SHOP_USER=ops"}, "--scenario", scenario)
			plugin.Expect(t, 2)
			sameWords(t, alert, plugin.Stdout, regexp.MustCompile(`\d+\.\d\ds`))
			want := "HTTP CRITICAL: " + tt.journey + ` step 1/3 "sign in": status 503 Service Unavailable, expected 200-399 (GET ` + base + "/login 503, total "
			if !strings.HasPrefix(alert, want) || !strings.HasSuffix(alert, "; steps 2-3 not run") {
				t.Errorf("alert %q does not name the journey, the step, the status and the steps not run", alert)
			}
		})
	}
}

// A status mapped to warning alerts as the binary words a mapping: the
// rule that decided, in parentheses, at WARNING.
func TestDocMappedStatusAlertIsThePluginsOwn(t *testing.T) {
	url := testutil.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}), false) + "/health"
	for _, status := range []string{"503=warning", "2xx,503=warning"} {
		t.Run(status, func(t *testing.T) {
			cat := write(t, "catalog.yaml", strings.Replace(good, "    process:", `    http:
      - {name: health, url: "`+url+`", expect: {status: "`+status+`"}, action: look at the application log}
    process:`, 1))
			alert := docAlert(t, cat)

			plugin := testutil.Run(t, testutil.Binary(t, "check-http-e2e"), nil, "-u", url, "-s", status)
			plugin.Expect(t, 1)
			sameWords(t, alert, plugin.Stdout, regexp.MustCompile(`\d+\.\d\ds`))
			if !strings.HasPrefix(alert, "HTTP WARNING: status 503 Service Unavailable (503=warning) (GET "+url+" 503 Service Unavailable; dns ") {
				t.Errorf("alert %q does not say the status and the rule that decided it", alert)
			}
		})
	}
}
