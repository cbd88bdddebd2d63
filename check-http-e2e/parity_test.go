package main

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck"
	httpoptions "github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/options"
)

// flagNames lists every option of the command line, as "--long" (or
// "-s" when it has no long name), embedded structs included.
func flagNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, flagNames(f.Type)...)
			continue
		}
		if long := f.Tag.Get("long"); long != "" {
			out = append(out, "--"+long)
		} else if short := f.Tag.Get("short"); short != "" {
			out = append(out, "-"+short)
		}
	}
	return out
}

// TestRequestOptionParity: every option of the command line either acts
// the same on one request (-u) and on a journey (--scenario), or is
// refused with --scenario with a hint naming the scenario's way to say
// it. The table must name every option: one added without deciding what
// it does in a journey fails here, so the two modes cannot drift apart.
//
// An option that acts in both modes is run twice against the same
// fixture, once as -u with the one-request assertion, once on a journey
// of one step with the same assertion written in YAML; both must end the
// same way. Where the scenario has a key of its own for it (key), a
// journey that sets the key instead of the flag, at the scenario's level
// and at the step's, must end that way too.
func TestRequestOptionParity(t *testing.T) {
	base := serve(t)
	h2c := testutil.ServeHTTP(t, app, true)
	pki := testutil.NewPKI(t)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
	secure := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 90), pki.Intermediate}, false)
	port := strings.TrimPrefix(base, "http://127.0.0.1:")

	type both struct {
		args   []string // the option as given
		url    string   // the one request's URL, the step's get:
		assert []string // the one request's assertion flags
		expect string   // the same in the step's YAML
		key    string   // the scenario's own key for the option, if any
		code   int
		want   string
	}
	acts := map[string]both{
		"--timeout":       {args: []string{"-t", "1"}, url: base + "/slow?d=1m", code: 2, want: "ttfb 127.0.0.1:", key: "timeout: 1s"},
		"--max-body":      {args: []string{"--max-body", "3"}, url: base + "/ok", assert: []string{"--contains", "good"}, expect: "{contains: [good]}", key: "max_body: 3", code: 2, want: "body cut at 3 bytes"},
		"--max-redirects": {args: []string{"--max-redirects", "1"}, url: base + "/redirect/3", key: "max_redirects: 1", code: 2, want: "more than 1 redirects: "},
		"--insecure":      {args: []string{"--insecure"}, url: secure + "/ok", code: 0},
		"--ca-file":       {args: []string{"--ca-file", caFile}, url: secure + "/ok", code: 0},
		"--cert-file":     {args: []string{"--cert-file", "/nonexistent/cert.pem", "--key-file", "/nonexistent/key.pem"}, url: base + "/ok", code: 3, want: "/nonexistent/cert.pem"},
		"--key-file":      {args: []string{"--key-file", "/nonexistent/key.pem"}, url: base + "/ok", code: 3, want: "--key-file"},
		"--connect-to":    {args: []string{"--connect-to", "app.example:80:127.0.0.1:" + port}, url: "http://app.example/echo", assert: []string{"--jq", `.host == "app.example"`}, expect: `{jq: ['.host == "app.example"']}`, code: 0},
		"--resolve":       {args: []string{"--resolve", "app.example:" + port + ":127.0.0.1"}, url: "http://app.example:" + port + "/ok", code: 0},
		"--proxy":         {args: []string{"--proxy", base}, url: "http://app.example/ok", assert: []string{"--contains", "all good"}, expect: "{contains: [all good]}", code: 0},
		"-4":              {args: []string{"-4"}, url: "http://[::1]:" + port + "/ok", code: 2, want: "::1 is not an IPv4 address"},
		"-6":              {args: []string{"-6"}, url: base + "/ok", code: 2, want: "127.0.0.1 is not an IPv6 address"},
		"--http1.1":       {args: []string{"--http1.1"}, url: secure + "/proto", assert: []string{"--insecure", "-p", "^HTTP/1.1$"}, expect: "{regex: ['^HTTP/1.1$']}", code: 0},
		"--http2":         {args: []string{"--http2"}, url: h2c + "/proto", assert: []string{"-p", "^HTTP/2.0$"}, expect: "{regex: ['^HTTP/2.0$']}", code: 0},
		"--source-ip":     {args: []string{"--source-ip", "192.0.2.1"}, url: base + "/ok", code: 3, want: "--source-ip 192.0.2.1 is not an address of this host"},
		"--verbose":       {args: []string{"-v"}, url: base + "/ok", code: 0, want: "\nOK: "},
	}
	refused := map[string]string{
		"--method":         "write the method in each step: get: /path",
		"--header":         "write headers: {Name: value}",
		"--body":           "write body: in a step",
		"--body-file":      `write body: "${file:PATH}" in a step`,
		"--content-type":   "write headers: {Content-Type: TYPE} in a step",
		"--user":           "write the user and password in base_url",
		"--status":         "write status: under a step's expect:",
		"--pattern":        "write regex: under a step's expect:",
		"--invert-pattern": "write not_regex: under a step's expect:",
		"--contains":       "write contains: under a step's expect:",
		"--jq":             "write jq: under a step's expect:",
		"--header-match":   "write header: {Name: RE} under a step's expect:",
		"--warning":        "with severity: warning on the step",
		"--critical":       "write max_time: under a step's expect:",
		"--no-follow":      "write follow_redirects: false in a step",
		"--cert-warning":   "write cert_warning:",
		"--cert-critical":  "write cert_critical:",
	}
	refusedArgs := map[string][]string{
		"--method": {"-m", "POST"}, "--header": {"-H", "X-A: 1"}, "--body": {"-d", "x"}, "--body-file": {"--body-file", "/etc/hostname"},
		"--content-type": {"--content-type", "text/plain"}, "--user": {"--user", "a:b"}, "--status": {"-s", "200"}, "--pattern": {"-p", "x"},
		"--invert-pattern": {"--invert-pattern", "x"}, "--contains": {"--contains", "x"}, "--jq": {"--jq", ".a"}, "--header-match": {"--header-match", "A: b"},
		"--warning": {"-w", "1"}, "--critical": {"-c", "1"}, "--no-follow": {"--no-follow"}, "--cert-warning": {"--cert-warning", "10"}, "--cert-critical": {"--cert-critical", "10"},
	}
	// Not request options: the modes themselves, and what every check has.
	other := map[string]bool{"--url": true, "--scenario": true, "--version": true, "--drill-file": true, "--drill-max-age": true, "--recovery-state": true}

	for _, name := range flagNames(reflect.TypeOf(httpcheck.Options{})) {
		_, a := acts[name]
		_, r := refused[name]
		if !a && !r && !other[name] {
			t.Errorf("%s: say in this test whether it acts on a journey too or is refused with --scenario", name)
		}
	}

	journey := func(t *testing.T, url, expect, top, step string) string {
		u, err := urlOf(url)
		if err != nil {
			t.Fatal(err)
		}
		text := "name: parity\nbase_url: " + u + "\n" + top + "steps:\n  - name: one\n    get: " + url[len(u):] + "\n" + step
		if expect != "" {
			text += "    expect: " + expect + "\n"
		}
		return testutil.WriteFile(t, "parity.yml", []byte(text))
	}
	for name, tc := range acts {
		t.Run(name, func(t *testing.T) {
			one := run(t, nil, append(append([]string{"-u", tc.url}, tc.args...), tc.assert...)...)
			one.Expect(t, tc.code, tc.want)
			// The secure server's certificate needs --insecure for
			// the options that are not about trust (the one-request
			// assertion gives it itself).
			trust := []string{}
			if strings.HasPrefix(tc.url, secure) && name != "--insecure" && name != "--ca-file" {
				trust = []string{"--insecure"}
			}
			scenario := run(t, nil, append(append([]string{"--scenario", journey(t, tc.url, tc.expect, "", "")}, tc.args...), trust...)...)
			scenario.Expect(t, tc.code, tc.want)
			if tc.key == "" {
				return
			}
			run(t, nil, "--scenario", journey(t, tc.url, tc.expect, tc.key+"\n", "")).Expect(t, tc.code, tc.want)
			run(t, nil, "--scenario", journey(t, tc.url, tc.expect, "", "    "+tc.key+"\n")).Expect(t, tc.code, tc.want)
		})
	}
	ok := journey(t, base+"/ok", "", "", "")
	for name, hint := range refused {
		t.Run(name, func(t *testing.T) {
			run(t, nil, append([]string{"--scenario", ok}, refusedArgs[name]...)...).
				Expect(t, 3, "HTTP UNKNOWN: "+refusedArgs[name][0]+" applies to one request (-u), not to --scenario: ", hint)
		})
	}
	// The flag and the scenario's own key for it conflict: which one
	// rules would be a guess.
	run(t, nil, "--scenario", journey(t, base+"/ok", "", "max_body: 3\n", ""), "--max-body", "5").
		Expect(t, 3, "HTTP UNKNOWN: --max-body and the scenario's max_body (", "line 3) conflict")
	run(t, nil, "--scenario", journey(t, base+"/ok", "", "max_redirects: 3\n", ""), "--max-redirects", "5").
		Expect(t, 3, "HTTP UNKNOWN: --max-redirects and the scenario's max_redirects (", "line 3) conflict")
	// A step's own value rules over the scenario's and the flag's.
	run(t, nil, "--scenario", journey(t, base+"/ok", "{contains: [good]}", "", "    max_body: 100\n"), "--max-body", "3").Expect(t, 0, "HTTP OK: ")
	run(t, nil, "--scenario", journey(t, base+"/redirect/3", "", "max_redirects: 1\n", "    max_redirects: 5\n")).Expect(t, 0, "HTTP OK: ")
	// Values out of range are refused alike.
	run(t, nil, "--scenario", journey(t, base+"/ok", "", "max_body: 0\n", "")).Expect(t, 3, "line 3: max_body 0: give a number of bytes from 1 to 16777216")
	run(t, nil, "--scenario", journey(t, base+"/ok", "", "", "    max_redirects: -1\n")).Expect(t, 3, "max_redirects -1: give 0 or more")
	run(t, nil, "-u", base+"/ok", "--max-redirects", "-1").Expect(t, 3, "--max-redirects -1: give 0 or more")
}

// urlOf is the scheme and host of a URL, the base_url of a journey.
func urlOf(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	return u.Scheme + "://" + u.Host, nil
}

// TestParseArgsSaysWhatTheBinarySays: httpcheck.ParseArgs, which a
// catalog links to check the command lines it writes, refuses what the
// binary refuses, in the same words, and sends no request for a command
// line the binary would run.
func TestParseArgsSaysWhatTheBinarySays(t *testing.T) {
	bin := testutil.Binary(t, "check-http-e2e")
	parse := func(args []string) error { _, err := httpcheck.ParseArgs(args); return err }
	scenario := testutil.WriteFile(t, "s.yml", []byte("name: s\nsteps:\n  - get: http://127.0.0.1:1/\n"))
	for _, args := range [][]string{
		{},
		{"--no-such-flag"},
		{"-u", "ftp://example.com/"},
		{"-u", "http://u:pw@127.0.0.1:1/", "--user", "a:b"},
		{"-4", "-6", "-u", "http://127.0.0.1:1/"},
		{"--insecure", "--ca-file", "/nonexistent", "-u", "https://127.0.0.1:1/"},
		{"--cert-file", "/nonexistent", "-u", "https://127.0.0.1:1/"},
		{"--scenario", scenario, "-s", "200"},
		{"--scenario", scenario, "--max-body", "-1"},
		{"--scenario", "/nonexistent/s.yml"},
		{"-u", "http://127.0.0.1:1/", "--jq", ".a =="},
	} {
		testutil.ExpectUsage(t, bin, "HTTP", parse, args...)
	}
	// net/http would refuse to send these: a typo is a usage error, not a
	// CRITICAL that blames the connection. frontline checks a catalog's
	// command lines with the options package alone, which refuses them too.
	for _, args := range [][]string{
		{"-u", "http://127.0.0.1:1/", "-H", "Bad(Name: x"},
		{"-u", "http://127.0.0.1:1/", "-m", "GE(T"},
	} {
		testutil.ExpectUsage(t, bin, "HTTP", parse, args...)
		if _, err := httpoptions.ParseArgs(args); err == nil {
			t.Errorf("%s: the options package accepts it", strings.Join(args, " "))
		}
	}
	if o, err := httpcheck.ParseArgs([]string{"--scenario", scenario, "-t", "3s"}); err != nil || o.Scenario != scenario {
		t.Errorf("a scenario the binary runs: %v", err)
	}
}

// TestRefusedFlagsHintsHold: each flag refused with --scenario says what
// to write in the file instead; written so, the journey of one step ends
// as the one request with the flag does.
func TestRefusedFlagsHintsHold(t *testing.T) {
	base := serve(t)
	pki := testutil.NewPKI(t)
	secure := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 90), pki.Intermediate}, false)
	bodyFile := testutil.WriteFile(t, "body.txt", []byte("hello"))
	for _, tc := range []struct {
		flag string
		args []string // after -u
		url  string
		step string // the step's keys after its get: or post:, and the scenario's top level keys
		top  string
		code int
	}{
		{"-m", []string{"-m", "POST", "--jq", `.method == "POST"`}, base + "/echo", `    expect: {jq: ['.method == "POST"']}` + "\n", "", 0},
		{"-H", []string{"-H", "X-A: 1", "--jq", `.header["X-A"][0] == "1"`}, base + "/echo", `    expect: {jq: ['.header["X-A"][0] == "1"']}` + "\n", `headers: {X-A: "1"}` + "\n", 0},
		{"-d", []string{"-m", "POST", "-d", "hello", "--jq", `.body == "hello"`}, base + "/echo", "    body: hello\n" + `    expect: {jq: ['.body == "hello"']}` + "\n", "", 0},
		{"--body-file", []string{"-m", "POST", "--body-file", bodyFile, "--jq", `.body == "hello"`}, base + "/echo", `    body: "${file:` + bodyFile + `}"` + "\n" + `    expect: {jq: ['.body == "hello"']}` + "\n", "", 0},
		{"--content-type", []string{"--content-type", "text/plain", "--jq", `.header["Content-Type"][0] == "text/plain"`}, base + "/echo", "    headers: {Content-Type: text/plain}\n" + `    expect: {jq: ['.header["Content-Type"][0] == "text/plain"']}` + "\n", "", 0},
		{"--user", []string{"--user", "monitor:" + password}, base + "/auth", "", "", 0},
		{"-s", []string{"-s", "404"}, base + "/status/404", "    expect: {status: 404}\n", "", 0},
		{"-p", []string{"-p", "all g..d"}, base + "/ok", "    expect: {regex: ['all g..d']}\n", "", 0},
		{"--invert-pattern", []string{"--invert-pattern", "good"}, base + "/ok", "    expect: {not_regex: [good]}\n", "", 2},
		{"--contains", []string{"--contains", "bad"}, base + "/ok", "    expect: {contains: [bad]}\n", "", 2},
		{"--jq", []string{"--jq", `.status == "ok"`}, base + "/json", `    expect: {jq: ['.status == "ok"']}` + "\n", "", 0},
		{"--header-match", []string{"--header-match", "X-App: ^demo$"}, base + "/ok", "    expect: {header: {X-App: ^demo$}}\n", "", 0},
		{"-c", []string{"-c", "0.000001"}, base + "/ok", "    expect: {max_time: 0.000001}\n", "", 2},
		{"-w", []string{"-w", "0.000001"}, base + "/ok", "    severity: warning\n    expect: {max_time: 0.000001}\n", "", 1},
		{"--no-follow", []string{"--no-follow", "-s", "302"}, base + "/redirect/2", "    follow_redirects: false\n    expect: {status: 302}\n", "", 0},
		{"--cert-warning", []string{"--insecure", "--cert-warning", "100"}, secure + "/ok", "", "cert_warning: 100\n", 1},
		{"--cert-critical", []string{"--insecure", "--cert-critical", "100"}, secure + "/ok", "    cert_critical: 100\n", "", 2},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			run(t, nil, append([]string{"-u", tc.url}, tc.args...)...).Expect(t, tc.code)
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			origin, method := u.Scheme+"://"+u.Host, "get"
			if tc.flag == "--user" {
				origin = u.Scheme + "://monitor:" + password + "@" + u.Host
			}
			if tc.args[0] == "-m" {
				method = "post"
			}
			text := "name: hint\nbase_url: " + origin + "\n" + tc.top + "steps:\n  - " + method + ": " + u.Path + "\n" + tc.step
			args := []string{"--scenario", testutil.WriteFile(t, "hint.yml", []byte(text))}
			if strings.HasPrefix(tc.url, secure) {
				args = append(args, "--insecure")
			}
			run(t, nil, args...).Expect(t, tc.code)
		})
	}
}
