package main

import (
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// The password of the fixture app's /auth, which no output may show.
const password = "s3cret-Pa55"

var app = fixture.App{User: "monitor", Password: password}.Handler()

// run runs the built check-http-e2e.
func run(t *testing.T, env []string, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, testutil.Binary(t, "check-http-e2e"), env, args...)
}

func serve(t *testing.T) string {
	t.Helper()
	return testutil.ServeHTTP(t, app, false)
}

// TestAssertions runs every kind of assertion, met and not met.
func TestAssertions(t *testing.T) {
	base := serve(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"default status", []string{"-u", base + "/ok"}, 0, []string{"HTTP OK: GET " + base + "/ok 200\n"}},
		{"default status, 404", []string{"-u", base + "/status/404"}, 2, []string{"HTTP CRITICAL: ", "404", "expected 200-399", "(GET " + base + "/status/404 404 Not Found; dns ", ", total "}},
		{"default status, 500", []string{"-u", base + "/status/500"}, 2, []string{"HTTP CRITICAL: ", "500 Internal Server Error"}},
		{"status list", []string{"-u", base + "/status/404", "-s", "200,404"}, 0, []string{"HTTP OK: GET " + base + "/status/404 404\n"}},
		{"status class, not met", []string{"-u", base + "/ok", "-s", "3xx"}, 2, []string{"HTTP CRITICAL: ", "3xx"}},
		{"status range", []string{"-u", base + "/status/302", "-s", "300-399"}, 0, []string{"HTTP OK: "}},
		{"status mapping warning", []string{"-u", base + "/status/404", "-s", "404=warning"}, 1, []string{"HTTP WARNING: ", "404"}},
		{"status mapping ok", []string{"-u", base + "/status/503", "-s", "503=ok"}, 0, []string{"HTTP OK: "}},
		{"status mapping critical", []string{"-u", base + "/ok", "-s", "200-299=critical"}, 2, []string{"HTTP CRITICAL: "}},
		{"pattern", []string{"-u", base + "/ok", "-p", "all go+d"}, 0, []string{"HTTP OK: "}},
		{"pattern, not met", []string{"-u", base + "/ok", "-p", "^broken"}, 2, []string{"HTTP CRITICAL: ", `"^broken"`, "(GET " + base + "/ok 200 OK; "}},
		{"pattern with quotes kept", []string{"-u", base + "/json", "-p", `"status":"ok"`}, 0, []string{"HTTP OK: "}},
		{"invert pattern", []string{"-u", base + "/ok", "--invert-pattern", "error"}, 0, []string{"HTTP OK: "}},
		{"invert pattern, matched", []string{"-u", base + "/ok", "--invert-pattern", "go+d"}, 2, []string{"HTTP CRITICAL: ", `"go+d"`}},
		{"contains", []string{"-u", base + "/ok", "--contains", "all good"}, 0, []string{"HTTP OK: "}},
		{"contains, absent", []string{"-u", base + "/ok", "--contains", "all bad"}, 2, []string{"HTTP CRITICAL: ", `"all bad"`}},
		{"jq", []string{"-u", base + "/json", "--jq", `.status == "ok"`, "--jq", ".queue.depth < 100"}, 0, []string{"HTTP OK: "}},
		{"jq, left side shown", []string{"-u", base + "/json", "--jq", ".queue.depth < 3"}, 2, []string{"HTTP CRITICAL: ", "jq '.queue.depth < 3'", " 5 ("}},
		{"jq on a body that is not JSON", []string{"-u", base + "/ok", "--jq", ".a"}, 2, []string{"HTTP CRITICAL: ", "not JSON"}},
		{"header match", []string{"-u", base + "/ok", "--header-match", "X-App: ^demo$"}, 0, []string{"HTTP OK: "}},
		{"header match, not met", []string{"-u", base + "/ok", "--header-match", "X-App: ^prod$"}, 2, []string{"HTTP CRITICAL: ", "X-App", `"demo"`}},
		{"header match, header absent", []string{"-u", base + "/ok", "--header-match", "X-Missing: ."}, 2, []string{"HTTP CRITICAL: ", "X-Missing"}},
		{"time under thresholds", []string{"-u", base + "/ok", "-w", "5", "-c", "10s"}, 0, []string{"HTTP OK: "}},
		{"time warning", []string{"-u", base + "/slow?d=300ms", "-w", "0.1", "-c", "20"}, 1, []string{"HTTP WARNING: ", "(GET " + base + "/slow?d=300ms 200 OK; "}},
		{"time critical", []string{"-u", base + "/slow?d=300ms", "-w", "50ms", "-c", "100ms"}, 2, []string{"HTTP CRITICAL: "}},
		{"method, header, body", []string{"-u", base + "/echo", "-m", "post", "-H", "X-Team: sre", "-d", "a=1", "--content-type", "text/plain",
			"--jq", `.method == "POST"`, "--jq", `.body == "a=1"`, "--jq", `.header["X-Team"][0] == "sre"`, "--jq", `.header["Content-Type"][0] == "text/plain"`}, 0, []string{"HTTP OK: POST " + base + "/echo 200\n"}},
		{"host header", []string{"-u", base + "/echo", "-H", "Host: app.example", "--jq", `.host == "app.example"`}, 0, []string{"HTTP OK: "}},
		{"several failures, the worst first", []string{"-u", base + "/slow?d=200ms", "-w", "0.05", "--contains", "nowhere"}, 2,
			[]string{"HTTP CRITICAL: ", `"nowhere"`, "\nHTTP WARNING: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, nil, tc.args...).Expect(t, tc.code, tc.want...)
		})
	}
}

// TestOneLinePerCause: a wrong status is the verdict, with what the page
// says; the body assertions are not judged against that page.
func TestOneLinePerCause(t *testing.T) {
	base := serve(t)
	r := run(t, nil, "-u", base+"/status/503", "--contains", "all good", "--jq", ".ok")
	r.Expect(t, 2, `HTTP CRITICAL: status 503 Service Unavailable, expected 200-399; page says "status 503" (GET `+base+"/status/503 503 Service Unavailable; dns ")
	if n := strings.Count(r.Stdout, "\n"); n != 1 {
		t.Errorf("%d lines for one cause:\n%s", n, r.Stdout)
	}
	// Text that should not be there is quoted from around it.
	run(t, nil, "-u", base+"/json", "--invert-pattern", `"depth":\d+`).Expect(t, 2, `HTTP CRITICAL: body matches "\"depth\":\\d+", expected not to (body 52 bytes, around it: "{\"status\":\"ok\",\"queue\":{\"depth\":5},\"name\":\"monitor\"}") (GET `)
}

func TestBodyFile(t *testing.T) {
	base := serve(t)
	path := testutil.WriteFile(t, "body.json", []byte(`{"q":1}`))
	run(t, nil, "-u", base+"/echo", "-m", "PUT", "--body-file", path, "--jq", `.body == "{\"q\":1}"`).Expect(t, 0, "HTTP OK: PUT ")
}

// TestOKIsStable: the agent re-sends an OK only when its text changes, so
// it carries no timing unless -v asks for it.
func TestOKIsStable(t *testing.T) {
	base := serve(t)
	a := run(t, nil, "-u", base+"/ok")
	b := run(t, nil, "-u", base+"/ok")
	if a.Stdout != b.Stdout || a.Stdout != "HTTP OK: GET "+base+"/ok 200\n" {
		t.Errorf("OK text changes or is not the stable form:\n%s%s", a.Stdout, b.Stdout)
	}
	run(t, nil, "-u", base+"/ok", "-v").Expect(t, 0, "HTTP OK: GET "+base+"/ok 200\nOK: GET "+base+"/ok 200 OK; HTTP/1.1, dns ", "ttfb ", "total ")
}

func TestRedirects(t *testing.T) {
	base := serve(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"followed, final URL named", []string{"-u", base + "/redirect/2"}, 0, []string{"HTTP OK: GET " + base + "/redirect/2 -> " + base + "/ok 200\n"}},
		{"assertions on the final response", []string{"-u", base + "/redirect/2", "--contains", "nowhere"}, 2,
			[]string{"HTTP CRITICAL: ", "(GET " + base + "/redirect/2 -> " + base + "/ok 200 OK; "}},
		{"loop", []string{"-u", base + "/loop/a"}, 2, []string{"HTTP CRITICAL: GET " + base + "/loop/a: redirect loop: " + base + "/loop/a -> " + base + "/loop/b -> " + base + "/loop/a"}},
		{"too many", []string{"-u", base + "/redirect/5", "--max-redirects", "2"}, 2, []string{"HTTP CRITICAL: ", "more than 2 redirects: " + base + "/redirect/5 -> "}},
		{"no follow", []string{"-u", base + "/redirect/2", "--no-follow"}, 0, []string{"HTTP OK: GET " + base + "/redirect/2 302\n"}},
		{"no follow, status", []string{"-u", base + "/redirect/2", "--no-follow", "-s", "200", "--header-match", "Location: ^/redirect/1$"}, 2, []string{"HTTP CRITICAL: ", "302", "expected 200"}},
		{"no follow, location", []string{"-u", base + "/redirect/2", "--no-follow", "-s", "302", "--header-match", "Location: ^/redirect/1$"}, 0, []string{"HTTP OK: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, nil, tc.args...).Expect(t, tc.code, tc.want...)
		})
	}
}

// TestSecretsCutShort: a quoted body or jq value is cut short for the
// message, and the cut must not fall inside a secret and leave its start
// unmasked.
func TestSecretsCutShort(t *testing.T) {
	base := serve(t)
	env := []string{"E2E_PASSWORD=" + password}
	for _, pad := range []int{40, 45, 50, 70, 75} {
		body := strings.Repeat("x", pad) + "${env:E2E_PASSWORD}"
		for _, args := range [][]string{
			{"--contains", "nowhere"},
			{"--jq", `.body == "x"`},
		} {
			r := run(t, env, append([]string{"-u", base + "/echo", "-d", body, "-v"}, args...)...)
			r.Expect(t, 2, "HTTP CRITICAL: ")
			if strings.Contains(r.Stdout+r.Stderr, password[:3]) {
				t.Errorf("pad %d, %v: output shows the start of the password:\n%s%s", pad, args, r.Stdout, r.Stderr)
			}
		}
	}
}

// TestSecretsOfARedirect: credentials in the URL a redirect points to are
// sent as basic auth, and are as secret as those given on the command line.
func TestSecretsOfARedirect(t *testing.T) {
	base := serve(t)
	_, pass, _ := strings.Cut(fixture.RedirectUserinfo, ":")
	b64 := base64.StdEncoding.EncodeToString([]byte(fixture.RedirectUserinfo))
	for _, args := range [][]string{
		{"--contains", "nowhere"},
		{"--jq", `.header.Authorization[0] == "x"`},
		{"--jq", `.header.Authorization[0] | ltrimstr("Basic ") | @base64d == "x"`},
	} {
		r := run(t, nil, append([]string{"-u", base + "/userinfo", "-v"}, args...)...)
		r.Expect(t, 2, "HTTP CRITICAL: ", "(GET "+base+"/userinfo -> "+base+"/echo 200 OK; ")
		for _, s := range []string{pass, b64[:8], b64[len(b64)-8:]} {
			if strings.Contains(r.Stdout+r.Stderr, s) {
				t.Errorf("%v: output shows %q:\n%s%s", args, s, r.Stdout, r.Stderr)
			}
		}
	}
}

// TestCertExpiryOfTheChain: --cert-warning/--cert-critical judge every
// certificate of the chain, as check-tls-expiry does, and name the one that
// expires: an intermediate due before the leaf is the verdict.
func TestCertExpiryOfTheChain(t *testing.T) {
	pki := testutil.NewPKI(t)
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "Short Intermediate", IsCA: true, Issuer: pki.Root, NotAfter: fixture.InDays(5.5)})
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: inter, NotAfter: fixture.InDays(60.5)})
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
	base := testutil.ServeHTTPS(t, app, []*fixture.Cert{leaf, inter}, false)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"verified", []string{"--ca-file", caFile, "--cert-warning", "30"}, 1, []string{"HTTP WARNING: certificate: intermediate CN=Short Intermediate", "expires in 5 days", "warning below 30 days"}},
		{"critical", []string{"--ca-file", caFile, "--cert-warning", "30", "--cert-critical", "7"}, 2, []string{"HTTP CRITICAL: certificate: intermediate CN=Short Intermediate", "critical below 7 days"}},
		{"as presented, --insecure", []string{"--insecure", "--cert-critical", "7"}, 2, []string{"HTTP CRITICAL: certificate: intermediate CN=Short Intermediate"}},
		{"far enough", []string{"--ca-file", caFile, "--cert-warning", "3"}, 0, []string{"HTTP OK: GET " + base + "/ok 200\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, nil, append([]string{"-u", base + "/ok"}, tc.args...)...).Expect(t, tc.code, tc.want...)
		})
	}
}

// TestCertExpiryAcrossRedirects: the certificate of the URL the check is
// given is judged even when it redirects elsewhere. Users who type the
// apex domain meet its certificate first, and its expiry is an outage
// however healthy the page it redirects to.
func TestCertExpiryAcrossRedirects(t *testing.T) {
	pki := testutil.NewPKI(t)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
	www := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 300.5), pki.Intermediate}, false)
	inter := testutil.NewCert(t, fixture.CertOptions{CN: "Short Intermediate", IsCA: true, Issuer: pki.Root, NotAfter: fixture.InDays(5.5)})
	leaf := testutil.NewCert(t, fixture.CertOptions{CN: "localhost", DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Issuer: inter, NotAfter: fixture.InDays(60.5)})
	apex := testutil.ServeHTTPS(t, http.RedirectHandler(www+"/ok", http.StatusMovedPermanently), []*fixture.Cert{leaf, inter}, false)
	run(t, nil, "-u", apex+"/", "--ca-file", caFile, "--cert-warning", "30", "--cert-critical", "7").
		Expect(t, 2, "HTTP CRITICAL: certificate of the redirect from "+apex+"/: intermediate CN=Short Intermediate", "expires in 5 days", "critical below 7 days", "(GET "+apex+"/ -> "+www+"/ok 200")
	run(t, nil, "-u", apex+"/", "--ca-file", caFile, "--cert-warning", "3").Expect(t, 0, "HTTP OK: ")
	journey := testutil.WriteFile(t, "apex.yml", []byte("name: apex\ncert_critical: 7\nsteps:\n  - name: home\n    get: "+apex+"/\n"))
	run(t, nil, "--scenario", journey, "--ca-file", caFile).
		Expect(t, 2, `HTTP CRITICAL: apex step 1/1 "home": certificate of the redirect from `+apex+"/: intermediate CN=Short Intermediate")
}

// TestCertExpiryNotVerified: a chain that does not verify is CRITICAL, and
// with --cert-warning/--cert-critical its line also carries the days left
// of the certificates as presented, judged as --insecure judges them and
// marked as not verified, so that the responder knows how long is left
// while the trust is being fixed. Without those flags nothing is added.
func TestCertExpiryNotVerified(t *testing.T) {
	pki := testutil.NewPKI(t)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
	base := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 5.5), pki.Intermediate}, false)
	u, _ := url.Parse(base)
	other := testutil.NewCert(t, fixture.CertOptions{CN: "other.example", DNS: []string{"other.example"}, Issuer: pki.Intermediate, NotAfter: fixture.InDays(5.5)})
	misnamed := testutil.ServeHTTPS(t, app, []*fixture.Cert{other, pki.Intermediate}, false)
	mu, _ := url.Parse(misnamed)
	unknown := "HTTP CRITICAL: GET " + base + "/ok: tls " + u.Host + ": certificate signed by unknown authority (an unknown CA, or the server does not send its intermediate; --ca-file adds a private CA)"
	for _, tc := range []struct {
		name  string
		url   string
		args  []string
		first []string // all on the first line
	}{
		{"unknown CA, critical", base, []string{"--cert-critical", "7"}, []string{unknown + "; not verified: leaf CN=localhost", "expires in 5 days", "critical below 7 days"}},
		{"unknown CA, warning", base, []string{"--cert-warning", "30"}, []string{unknown + "; not verified: leaf CN=localhost", "expires in 5 days", "warning below 30 days"}},
		{"unknown CA, far enough", base, []string{"--cert-warning", "3"}, []string{unknown + "; not verified: leaf CN=localhost", "expires in 5 days"}},
		{"wrong name", misnamed, []string{"--ca-file", caFile, "--cert-critical", "7"}, []string{"HTTP CRITICAL: GET " + misnamed + "/ok: tls " + mu.Host + ": ", "; not verified: leaf CN=other.example", "expires in 5 days", "critical below 7 days"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := run(t, nil, append([]string{"-u", tc.url + "/ok"}, tc.args...)...).Expect(t, 2)
			for _, w := range tc.first {
				if !strings.Contains(first, w) {
					t.Errorf("first line lacks %q:\n%s", w, first)
				}
			}
		})
	}
	r := run(t, nil, "-u", base+"/ok")
	r.Expect(t, 2, unknown)
	if strings.Contains(r.Stdout, "expires") || strings.Contains(r.Stdout, "not verified") {
		t.Errorf("without --cert-warning/--cert-critical the message judges certificates:\n%s", r.Stdout)
	}
}

// TestGzipBody: assertions see the decoded body, and --max-body bounds
// what is decoded, whether the client asked for gzip itself or a header
// given with -H did.
func TestGzipBody(t *testing.T) {
	base := serve(t)
	for _, extra := range [][]string{nil, {"-H", "Accept-Encoding: gzip"}} {
		run(t, nil, append([]string{"-u", base + "/gzip", "--jq", `.status == "ok"`}, extra...)...).Expect(t, 0, "HTTP OK: ")
		run(t, nil, append([]string{"-u", base + "/gzip", "--max-body", "100", "--contains", "zzz"}, extra...)...).
			Expect(t, 2, "HTTP CRITICAL: ", `(body cut at 100 bytes: "{\"status\":\"ok\"`)
	}
}

// TestBlackHoledConnect: a SYN nobody answers ends the check within its
// timeout plus a second, naming the connect phase and the address.
func TestBlackHoledConnect(t *testing.T) {
	hole := testutil.BlackHole(t)
	r := run(t, nil, "-u", "http://"+hole+"/", "-t", "1.5")
	r.ExpectMatch(t, 2, "^HTTP CRITICAL: (?:GET "+regexp.QuoteMeta("http://"+hole+"/")+": )?"+testutil.PhaseEnded("connect", hole))
	r.ExpectEndedBy(t, 1500*time.Millisecond)
}

// TestSecretHeaderParts: the credentials of an Authorization or Cookie
// header are masked on their own too, where a server echoes only them.
func TestSecretHeaderParts(t *testing.T) {
	base := serve(t)
	for _, tc := range []struct {
		header, jq, secret string
	}{
		{"Authorization: Bearer only-the-token-42", `.header.Authorization[0] | ltrimstr("Bearer ") == "x"`, "only-the-token-42"},
		{"Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("px:proxy-Pa55")), `.header["Proxy-Authorization"][0] | ltrimstr("Basic ") | @base64d == "x"`, "proxy-Pa55"},
		{"Cookie: lang=en; session=the-session-77", `.header.Cookie[0] | split("=") | last == "x"`, "the-session-77"},
	} {
		r := run(t, nil, "-u", base+"/echo", "-H", tc.header, "--jq", tc.jq, "-v")
		r.Expect(t, 2, "HTTP CRITICAL: ", "***")
		if strings.Contains(r.Stdout+r.Stderr, tc.secret) {
			t.Errorf("-H %q: output shows %q:\n%s", tc.header, tc.secret, r.Stdout)
		}
	}
}

// TestSlowServer: a server that never answers ends the check within its
// timeout plus a second, naming the ttfb phase and the address.
func TestSlowServer(t *testing.T) {
	base := serve(t)
	u, _ := url.Parse(base)
	r := run(t, nil, "-u", base+"/slow?d=1m", "-t", "2")
	r.ExpectMatch(t, 2, "^HTTP CRITICAL: (?:GET "+regexp.QuoteMeta(base+"/slow?d=1m")+": )?"+testutil.PhaseEnded("ttfb", u.Host))
	r.ExpectEndedBy(t, 2*time.Second)
}

func TestStalledPeers(t *testing.T) {
	base := serve(t)
	u, _ := url.Parse(base)
	stall := testutil.ServeStall(t)
	run(t, nil, "-u", base+"/trickle", "-t", "1.5").Expect(t, 2, "HTTP CRITICAL: GET "+base+"/trickle: body "+u.Host+": timed out after ")
	run(t, nil, "-u", "https://"+stall+"/", "-t", "1").Expect(t, 2, "HTTP CRITICAL: GET https://"+stall+"/: tls "+stall+": timed out after ")
	closed := testutil.ClosedAddr(t)
	run(t, nil, "-u", "http://"+closed+"/").Expect(t, 2, "HTTP CRITICAL: GET http://"+closed+"/: connect "+closed+": connection refused")
}

func TestEndlessBody(t *testing.T) {
	base := serve(t)
	run(t, nil, "-u", base+"/endless", "--max-body", "100000", "-p", "^endless body").Expect(t, 0, "HTTP OK: GET "+base+"/endless 200\n")
	run(t, nil, "-u", base+"/endless", "--max-body", "100000", "--contains", "the end").Expect(t, 2, "HTTP CRITICAL: ", `"the end"`, "body cut at 100000 bytes")
	run(t, nil, "-u", base+"/endless", "-t", "3").Expect(t, 0, "HTTP OK: ")
}

func TestHTTPS(t *testing.T) {
	pki := testutil.NewPKI(t)
	caFile := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
	base := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 20.5), pki.Intermediate}, false)
	u, _ := url.Parse(base)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"with --ca-file", []string{"--ca-file", caFile}, 0, []string{"HTTP OK: GET " + base + "/proto 200\n"}},
		{"without --ca-file", nil, 2, []string{"HTTP CRITICAL: GET " + base + "/proto: tls " + u.Host + ": certificate signed by unknown authority (an unknown CA, or the server does not send its intermediate; --ca-file adds a private CA)"}},
		{"insecure", []string{"--insecure"}, 0, []string{"HTTP OK: "}},
		{"HTTP/2 negotiated", []string{"--ca-file", caFile, "-p", "^HTTP/2.0$"}, 0, []string{"HTTP OK: "}},
		{"-v names the version", []string{"--ca-file", caFile, "-v"}, 0, []string{"\nOK: GET " + base + "/proto 200 OK; HTTP/2.0, dns "}},
		{"HTTP/1.1 forced", []string{"--ca-file", caFile, "--http1.1", "-p", "^HTTP/1.1$"}, 0, []string{"HTTP OK: "}},
		{"certificate warning", []string{"--ca-file", caFile, "--cert-warning", "30"}, 1, []string{"HTTP WARNING: certificate: leaf CN=localhost", "expires in 20 days", "warning below 30 days"}},
		{"certificate critical", []string{"--ca-file", caFile, "--cert-critical", "25"}, 2, []string{"HTTP CRITICAL: certificate: ", "critical below 25 days"}},
		{"certificate far enough", []string{"--ca-file", caFile, "--cert-warning", "10", "--cert-critical", "5"}, 0, []string{"HTTP OK: GET " + base + "/proto 200\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, nil, append([]string{"-u", base + "/proto"}, tc.args...)...).Expect(t, tc.code, tc.want...)
		})
	}
	// mackerel-agent starts its plugins with GODEBUG=http2client=0.
	run(t, []string{"GODEBUG=http2client=0"}, "-u", base+"/proto", "--ca-file", caFile, "-p", "^HTTP/2.0$").Expect(t, 0, "HTTP OK: ")
	plain := testutil.ServeHTTPS(t, app, []*fixture.Cert{testutil.Leaf(t, pki, 90), pki.Intermediate}, true)
	run(t, nil, "-u", plain+"/proto", "--ca-file", caFile, "-p", "^HTTP/1.1$").Expect(t, 0, "HTTP OK: ")
	run(t, nil, "-u", plain+"/proto", "--ca-file", caFile, "--http2").Expect(t, 2, "HTTP CRITICAL: GET "+plain+"/proto: tls ")
}

func TestH2C(t *testing.T) {
	base := testutil.ServeHTTP(t, app, true)
	run(t, nil, "-u", base+"/proto", "--http2", "-p", "^HTTP/2.0$").Expect(t, 0, "HTTP OK: ")
	run(t, nil, "-u", base+"/proto", "-p", "^HTTP/1.1$").Expect(t, 0, "HTTP OK: ")
	// A server without h2c answers the preface in HTTP/1.1 (nginx), or
	// hangs up (net/http): say so, not what net/http makes of it
	// ("frame too large", "client conn could not be established").
	nginx := testutil.ServeCanned(t, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	for _, u := range []string{"http://" + nginx + "/", serve(t) + "/proto"} {
		r := run(t, nil, "-u", u, "--http2")
		r.Expect(t, 2, "HTTP CRITICAL: GET "+u+": ", ": the server does not speak HTTP/2 over plain HTTP (h2c)")
		if strings.Contains(r.Stdout, "frame") || strings.Contains(r.Stdout, "http2:") {
			t.Errorf("net/http's words leak:\n%s", r.Stdout)
		}
	}
}

// TestHTTPSToPlainPort: https:// to a port that speaks plain HTTP says so,
// without crypto/tls's "tls: " after the phase's name.
func TestHTTPSToPlainPort(t *testing.T) {
	base := serve(t)
	u, _ := url.Parse(base)
	r := run(t, nil, "-u", "https://"+u.Host+"/ok")
	r.Expect(t, 2, "HTTP CRITICAL: GET https://"+u.Host+"/ok: tls "+u.Host+": first record does not look like a TLS handshake: the server answered in plain HTTP (an http:// port?)")
	if strings.Contains(r.Stdout, "tls: tls:") || strings.Contains(r.Stdout, ": tls: ") {
		t.Errorf("the prefix is doubled:\n%s", r.Stdout)
	}
}

func TestConnectTo(t *testing.T) {
	base := serve(t)
	u, _ := url.Parse(base)
	port := u.Port()
	run(t, nil, "-u", "http://app.example/echo", "--connect-to", "app.example:80:127.0.0.1:"+port, "--jq", `.host == "app.example"`).
		Expect(t, 0, "HTTP OK: GET http://app.example/echo 200\n")
	run(t, nil, "-u", "http://app.example:"+port+"/echo", "--resolve", "app.example:"+port+":127.0.0.1", "--jq", `.host == "app.example:`+port+`"`).
		Expect(t, 0, "HTTP OK: ")
	run(t, nil, "-u", base+"/ok", "-6").Expect(t, 2, "HTTP CRITICAL: ", "dns 127.0.0.1: 127.0.0.1 is not an IPv6 address")
	run(t, nil, "-u", base+"/ok", "-4", "--source-ip", "127.0.0.1").Expect(t, 0, "HTTP OK: ")
}

func TestProxy(t *testing.T) {
	base := serve(t)
	proxy := testutil.ServeHTTP(t, app, false) // answers as the app: /ok says "all good"
	run(t, nil, "-u", "http://app.example/ok", "--proxy", proxy, "--contains", "all good").Expect(t, 0, "HTTP OK: GET http://app.example/ok 200\n")
	run(t, []string{"HTTP_PROXY=" + proxy, "NO_PROXY="}, "-u", "http://app.example/ok").Expect(t, 0, "HTTP OK: ")
	run(t, nil, "-u", base+"/ok", "--proxy", "http://monitor:"+password+"@"+testutil.ClosedAddr(t)).Expect(t, 2, "HTTP CRITICAL: ")
}

// TestSecrets: the password of basic auth, whichever way it is given,
// appears in no output, -v included, and neither does its base64.
func TestSecrets(t *testing.T) {
	base := serve(t)
	u, _ := url.Parse(base)
	pwFile := testutil.WriteFile(t, "pw", []byte(password+"\n"))
	env := []string{"E2E_PASSWORD=" + password}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"--user", []string{"-u", base + "/auth", "--user", "monitor:" + password}, 0, []string{"HTTP OK: GET " + base + "/auth 200\n"}},
		{"--user from env", []string{"-u", base + "/auth", "--user", "monitor:${env:E2E_PASSWORD}", "-v"}, 0, []string{"HTTP OK: "}},
		{"--user from file", []string{"-u", base + "/auth", "--user", "monitor:${file:" + pwFile + "}"}, 0, []string{"HTTP OK: "}},
		{"URL user info", []string{"-u", "http://monitor:" + password + "@" + u.Host + "/auth", "-v"}, 0, []string{"HTTP OK: GET " + base + "/auth 200\n"}},
		{"wrong user", []string{"-u", base + "/auth", "--user", "intruder:${env:E2E_PASSWORD}", "-v"}, 2, []string{"HTTP CRITICAL: ", "401"}},
		{"echoed back", []string{"-u", base + "/echo", "-H", "Authorization: Bearer ${env:E2E_PASSWORD}", "-H", "Cookie: session=" + password, "-v",
			"--jq", `.header.Authorization[0] == "x"`, "--jq", `.header.Cookie[0] == "x"`}, 2, []string{"HTTP CRITICAL: ", `Authorization[0] == "x"' got "***"`, `Cookie[0] == "x"' got "***"`}},
		{"jq quoting the secret", []string{"-u", base + "/echo", "-d", "${env:E2E_PASSWORD}", "--jq", `.body == "x"`}, 2, []string{"HTTP CRITICAL: ", "***"}},
		{"in a query", []string{"-u", base + "/status/500?password=" + password}, 2, []string{"HTTP CRITICAL: ", "password=***"}},
		{"usage error", []string{"-u", "ftp://monitor:" + password + "@" + u.Host + "/"}, 3, []string{"HTTP UNKNOWN: "}},
		{"unreachable", []string{"-u", "http://monitor:" + password + "@" + testutil.ClosedAddr(t) + "/"}, 2, []string{"HTTP CRITICAL: GET http://127.0.0.1:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, env, tc.args...)
			r.Expect(t, tc.code, tc.want...)
			for _, s := range []string{password, "czNjcmV0LVBhNTU", "bW9uaXRvcjpzM2NyZXQtUGE1NQ"} { // base64 of the password and of user:password
				if strings.Contains(r.Stdout+r.Stderr, s) {
					t.Errorf("output shows %q:\nstdout: %s\nstderr: %s", s, r.Stdout, r.Stderr)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no target", nil, "no target: give -u URL"},
		{"not http", []string{"-u", "ftp://example/"}, "is not an http:// or https:// URL"},
		{"argument", []string{"-u", "http://127.0.0.1/", "extra"}, `unexpected argument "extra"`},
		{"unknown flag", []string{"-u", "http://127.0.0.1/", "--nope"}, "unknown flag --nope"},
		{"bad status", []string{"-u", "http://127.0.0.1/", "-s", "abc"}, "-s: "},
		{"bad pattern", []string{"-u", "http://127.0.0.1/", "-p", "(unclosed"}, "-p: regular expression"},
		{"bad jq", []string{"-u", "http://127.0.0.1/", "--jq", ".a ==="}, "--jq: "},
		{"bad header match", []string{"-u", "http://127.0.0.1/", "--header-match", "nocolon"}, "--header-match: "},
		{"bad header", []string{"-u", "http://127.0.0.1/", "-H", "nocolon"}, "-H: write 'Name: value'"},
		{"critical under warning", []string{"-u", "http://127.0.0.1/", "-w", "2", "-c", "1"}, "-c 1s is less than -w 2s"},
		{"bad duration", []string{"-u", "http://127.0.0.1/", "-w", "soon"}, "invalid value for -w"},
		{"families", []string{"-u", "http://127.0.0.1/", "-4", "-6"}, "-4 and -6 conflict"},
		{"protocols", []string{"-u", "http://127.0.0.1/", "--http1.1", "--http2"}, "--http1.1 and --http2 conflict"},
		{"source ip", []string{"-u", "http://127.0.0.1/", "--source-ip", "nowhere"}, `--source-ip "nowhere" is not an IP address`},
		{"connect-to", []string{"-u", "http://127.0.0.1/", "--connect-to", "a:b"}, "--connect-to \"a:b\": write HOST1:PORT1:HOST2:PORT2"},
		{"resolve", []string{"-u", "http://127.0.0.1/", "--resolve", "a:1.2.3.4"}, "--resolve \"a:1.2.3.4\": write HOST:PORT:ADDR"},
		{"body twice", []string{"-u", "http://127.0.0.1/", "-d", "x", "--body-file", "/etc/hostname"}, "-d and --body-file conflict"},
		{"body file", []string{"-u", "http://127.0.0.1/", "--body-file", "/nonexistent/body"}, "--body-file: "},
		{"ca and insecure", []string{"-u", "https://127.0.0.1/", "--insecure", "--ca-file", "/etc/hostname"}, "--ca-file and --insecure conflict"},
		{"cert on http", []string{"-u", "http://127.0.0.1/", "--cert-warning", "30"}, "need an https:// URL"},
		{"cert order", []string{"-u", "https://127.0.0.1/", "--cert-warning", "10", "--cert-critical", "20"}, "--cert-warning/--cert-critical: "},
		{"unset env", []string{"-u", "http://127.0.0.1/", "-H", "X-Token: ${env:E2E_SURELY_UNSET}"}, "E2E_SURELY_UNSET"},
		{"max body", []string{"-u", "http://127.0.0.1/", "--max-body", "0"}, "--max-body 0"},
		{"scenario and url", []string{"-u", "http://127.0.0.1/", "--scenario", "x.yaml"}, "--scenario and -u conflict"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, tc.args...)
			r.Expect(t, 3, "HTTP UNKNOWN: ", tc.want)
			if strings.Count(r.Stdout, "\n") != 1 {
				t.Errorf("not one line:\n%s", r.Stdout)
			}
		})
	}
}

// The agent sends SIGTERM when its timeout_seconds runs out: the run ends
// at once with a verdict naming the phase in progress.
func TestSIGTERMNamesThePhase(t *testing.T) {
	// The request waits for its answer (ttfb) once the server has it.
	var asked atomic.Bool
	base := testutil.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(true)
		<-r.Context().Done()
	}), false)
	u, _ := url.Parse(base)
	cmd := exec.Command(testutil.Binary(t, "check-http-e2e"), "-u", base+"/slow?d=1m", "-t", "60")
	var out strings.Builder
	cmd.Stdout = &out
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sent := testutil.Interrupt(t, cmd, started, syscall.SIGTERM, asked.Load)
	cmd.Wait()
	// The run has 60 s; ending well before says the signal ended it.
	if elapsed := time.Since(sent); elapsed > testutil.Starved(time.Second) {
		t.Errorf("took %s after the signal", elapsed)
	}
	if code := cmd.ProcessState.ExitCode(); code != 2 {
		t.Errorf("exit %d, want 2: %s", code, out.String())
	}
	if want := "HTTP CRITICAL: GET " + base + "/slow?d=1m: ttfb " + u.Host + ": stopped after "; !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "(the check was terminated)") {
		t.Errorf("got %q, want prefix %q, saying the check was terminated", out.String(), want)
	}
}
