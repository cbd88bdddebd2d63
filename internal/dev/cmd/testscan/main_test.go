package main

import (
	"regexp"
	"strings"
	"testing"
)

// stream is go test -json output with a pass, an explained skip, an
// unexplained one, a skip without a message and a failure.
const stream = `{"Action":"start","Package":"m/a"}
{"Action":"run","Package":"m/a","Test":"TestPass"}
{"Action":"output","Package":"m/a","Test":"TestPass","Output":"=== RUN   TestPass\n"}
{"Action":"output","Package":"m/a","Test":"TestPass","Output":"--- PASS: TestPass (0.00s)\n"}
{"Action":"pass","Package":"m/a","Test":"TestPass"}
{"Action":"run","Package":"m/a","Test":"TestV6"}
{"Action":"output","Package":"m/a","Test":"TestV6","Output":"=== RUN   TestV6\n"}
{"Action":"output","Package":"m/a","Test":"TestV6","Output":"    util.go:99: listening\n"}
{"Action":"output","Package":"m/a","Test":"TestV6","Output":"    util.go:100: no IPv6 loopback on this machine: EADDRNOTAVAIL\n"}
{"Action":"output","Package":"m/a","Test":"TestV6","Output":"--- SKIP: TestV6 (0.00s)\n"}
{"Action":"skip","Package":"m/a","Test":"TestV6"}
{"Action":"output","Package":"m/a","Test":"TestHosts/sub","Output":"    main_test.go:437: /etc/hosts does not map multi\n"}
{"Action":"output","Package":"m/a","Test":"TestHosts/sub","Output":"--- SKIP: TestHosts/sub (0.00s)\n"}
{"Action":"skip","Package":"m/a","Test":"TestHosts/sub"}
{"Action":"output","Package":"m/a","Test":"TestSilent","Output":"--- SKIP: TestSilent (0.00s)\n"}
{"Action":"skip","Package":"m/a","Test":"TestSilent"}
{"Action":"output","Package":"m/a","Test":"TestBroken","Output":"    a_test.go:5: got 1, want 2\n"}
{"Action":"output","Package":"m/a","Test":"TestBroken","Output":"--- FAIL: TestBroken (0.00s)\n"}
{"Action":"fail","Package":"m/a","Test":"TestBroken"}
{"Action":"output","Package":"m/a","Output":"FAIL\tm/a\t0.01s\n"}
{"Action":"fail","Package":"m/a"}
{"Action":"skip","Package":"m/empty"}
{"ImportPath":"m/b","Action":"build-output","Output":"b.go:1: syntax error\n"}
not json
`

func TestScan(t *testing.T) {
	var out strings.Builder
	skips, err := scan(strings.NewReader(stream), &out)
	if err != nil {
		t.Fatal(err)
	}
	want := []skip{
		{"m/a", "TestV6", "no IPv6 loopback on this machine: EADDRNOTAVAIL"},
		{"m/a", "TestHosts/sub", "/etc/hosts does not map multi"},
		{"m/a", "TestSilent", ""},
	}
	if len(skips) != len(want) {
		t.Fatalf("skips = %q, want %q", skips, want)
	}
	for i := range want {
		if skips[i] != want[i] {
			t.Errorf("skip %d = %q, want %q", i, skips[i], want[i])
		}
	}
	for _, w := range []string{"got 1, want 2", "--- FAIL: TestBroken", "FAIL\tm/a\t0.01s", "b.go:1: syntax error", "not json"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	for _, w := range []string{"--- PASS", "listening"} {
		if strings.Contains(out.String(), w) {
			t.Errorf("output shows %q of a test that did not fail:\n%s", w, out.String())
		}
	}

	allow := []*regexp.Regexp{regexp.MustCompile(`^no IPv6 loopback`)}
	out.Reset()
	if !report(skips, allow, &out) {
		t.Errorf("report found every skip explained:\n%s", out.String())
	}
	for _, w := range []string{
		"skip (explained): m/a TestV6: no IPv6",
		"SKIP NOT EXPLAINED: m/a TestHosts/sub: /etc/hosts does not map multi",
		"SKIP NOT EXPLAINED: m/a TestSilent: (no message)",
		"FAIL: 2 skipped test(s)",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, out.String())
		}
	}
	out.Reset()
	if report(skips[:1], allow, &out) {
		t.Errorf("an explained skip failed the run:\n%s", out.String())
	}
}

func TestReadAllow(t *testing.T) {
	// The repository's own list must compile.
	res, err := readAllow("../../../../.ci/allowed-skips")
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 {
		t.Fatal("the allow-list is empty")
	}
	if !explained("no IPv6 loopback on this machine: x", res) || explained("/etc/hosts does not map x", res) {
		t.Error("the allow-list does not judge the known reasons as expected")
	}
}
