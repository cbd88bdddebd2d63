package secret

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestExpand(t *testing.T) {
	t.Setenv("FRONTLINE_TOKEN", "s3cr3t")
	t.Setenv("FRONTLINE_USER", "alice")
	t.Setenv("FRONTLINE_EMPTY", "")
	t.Setenv("FRONTLINE_REF", "${env:FRONTLINE_TOKEN}")
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte("  hunter2\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"no reference", "Bearer abc", "Bearer abc"},
		{"env", "Bearer ${env:FRONTLINE_TOKEN}", "Bearer s3cr3t"},
		{"file, trimmed", "${file:" + pwFile + "}", "hunter2"},
		{"several", "${env:FRONTLINE_USER}:${file:" + pwFile + "}@${env:FRONTLINE_USER}", "alice:hunter2@alice"},
		{"adjacent", "${env:FRONTLINE_USER}${env:FRONTLINE_TOKEN}", "alices3cr3t"},
		{"empty value", "[${env:FRONTLINE_EMPTY}]", "[]"},
		{"dollar without brace", "$5 and ${env:FRONTLINE_USER}", "$5 and alice"},
		{"a value is not expanded again", "${env:FRONTLINE_REF}", "${env:FRONTLINE_TOKEN}"},
		{"escaped", "$${env:FRONTLINE_USER} is ${env:FRONTLINE_USER}", "${env:FRONTLINE_USER} is alice"},
		{"escaped twice", "$${a}$${b}", "${a}${b}"},
		{"escape needs a brace", "$$5 $$ {}", "$$5 $$ {}"},
		{"closing brace alone", "a } b", "a } b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m Masker
			got, err := m.Expand(tc.in)
			if err != nil {
				t.Fatalf("Expand(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestExpandErrors(t *testing.T) {
	t.Setenv("FRONTLINE_UNSET", "") // restored after the test
	os.Unsetenv("FRONTLINE_UNSET")
	missing := filepath.Join(t.TempDir(), "missing")
	// A plain file: testutil's helpers report secrets with this package.
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, FileLimit+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, in string
		want     []string // in the error
	}{
		{"unset variable", "Bearer ${env:FRONTLINE_UNSET}", []string{"${env:FRONTLINE_UNSET}", "environment variable FRONTLINE_UNSET is not set"}},
		{"missing file", "${file:" + missing + "}", []string{"${file:" + missing + "}", "no such file"}},
		{"directory", "${file:" + t.TempDir() + "}", []string{"is a directory"}},
		{"device", "${file:/dev/zero}", []string{"${file:/dev/zero}", "is a device"}},
		{"too large", "${file:" + big + "}", []string{"larger than"}},
		{"variable", "id=${user_id}", []string{"undefined variable ${user_id}"}},
		{"unknown kind", "${vault:kv/x}", []string{"unknown reference ${vault:kv/x}"}},
		{"empty", "a ${} b", []string{"empty reference ${}"}},
		{"env without name", "${env:}", []string{"${env:} names no variable"}},
		{"file without name", "${file:}", []string{"${file:} names no file"}},
		{"unterminated", "a ${env:FRONTLINE_USER", []string{`unterminated reference "${env:FRONTLINE_USER"`, "$${"}},
		{"unterminated, long", "${" + strings.Repeat("x", 100), []string{"${xxxxxxxx", "…\""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m Masker
			got, err := m.Expand(tc.in)
			if err == nil {
				t.Fatalf("Expand(%q) = %q, want an error", tc.in, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Expand(%q) error %q, want it to contain %q", tc.in, err, w)
				}
			}
		})
	}
}

func TestMask(t *testing.T) {
	t.Setenv("FRONTLINE_PASS", "pass")
	t.Setenv("FRONTLINE_PASSWORD", "password1")
	t.Setenv("FRONTLINE_EMPTY", "")
	t.Setenv("FRONTLINE_SPACED", "  padded  ")
	var m Masker
	// Shorter first: masking must still take the longer value whole.
	for _, ref := range []string{"${env:FRONTLINE_PASS}", "${env:FRONTLINE_PASSWORD}", "${env:FRONTLINE_EMPTY}", "${env:FRONTLINE_PASS}", "${env:FRONTLINE_SPACED}"} {
		if _, err := m.Expand(ref); err != nil {
			t.Fatal(err)
		}
	}
	m.Add("tok-123")
	m.Add("")
	m.Add("abcd")
	m.Add("cdef")
	for _, tc := range []struct {
		in, want string
	}{
		{"login failed for pass", "login failed for ***"},
		{"Authorization: Basic password1", "Authorization: Basic ***"},
		{"password1password1 pass", "*** ***"}, // adjacent copies are one stretch
		{"value '  padded  '", "value '***'"},
		{"token tok-123 expired", "token *** expired"},
		{"nothing secret", "nothing secret"},
		{"overlapping abcdef end", "overlapping *** end"},
		// An echo in another letter case is the same secret.
		{"LOGIN FAILED FOR PASS", "LOGIN FAILED FOR ***"},
		{"AUTHORIZATION: BASIC PASSWORD1", "AUTHORIZATION: BASIC ***"},
		{"Token TOK-123 expired", "Token *** expired"},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := m.Mask(tc.in); got != tc.want {
				t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMaskNothingRegistered(t *testing.T) {
	var m Masker
	if got := m.Mask("a b c"); got != "a b c" {
		t.Errorf("Mask with no secrets = %q, want it unchanged", got)
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"user and password", "postgres://user:pass@db:5432/app", "postgres://***@db:5432/app"},
		{"user only", "https://token@example.com/", "https://***@example.com/"},
		{"password with escapes", "https://u:p%40ss@example.com:8443/x?y=1", "https://***@example.com:8443/x?y=1"},
		{"no user info", "https://example.com:8443/path?q=1", "https://example.com:8443/path?q=1"},
		{"not a URL", "example.com:443", "example.com:443"},
		{"unparsable, with user info", "smtp://user:p@ss word@mail:587/%zz", "smtp://***@mail:587/%zz"},
		{"unparsable, no user info", "https://exa mple.com/%zz", "https://exa mple.com/%zz"},
		{"password with a slash", "postgres://u:pa/ss@db/x", "postgres://***@db/x"},
		{"password query", "postgres://db:5432/x?password=hunter2&sslmode=require", "postgres://db:5432/x?password=***&sslmode=require"},
		{"query, unparsable", "postgres://db:5432/%zz?sslmode=require&password=hunter2", "postgres://db:5432/%zz?sslmode=require&password=***"},
		{"user info and query", "https://u:pass@h/p?Token=abc&x=1", "https://***@h/p?Token=***&x=1"},
		{"every secret name", "https://h/?password=1&passwd=2&pass=3&token=4&access_token=5&key=6&apikey=7&api_key=8&secret=9&sig=10&signature=11",
			"https://h/?password=***&passwd=***&pass=***&token=***&access_token=***&key=***&apikey=***&api_key=***&secret=***&sig=***&signature=***"},
		{"case and longer names", "https://h/?API_KEY=a&client_secret=b&X-Amz-Signature=c&accessToken=d&private-token=e",
			"https://h/?API_KEY=***&client_secret=***&X-Amz-Signature=***&accessToken=***&private-token=***"},
		{"escaped name", "https://h/?pass%77ord=x", "https://h/?pass%77ord=***"},
		{"semicolon", "https://h/?a=1;token=x", "https://h/?a=1;token=***"},
		{"fragment", "https://h/cb#access_token=x&state=s", "https://h/cb#access_token=***&state=s"},
		{"other names kept", "https://h/?monkey=1&bypass=2&keyword=3&q=token", "https://h/?monkey=1&bypass=2&keyword=3&q=token"},
		{"empty value kept", "https://h/?token=&a", "https://h/?token=&a"},
		{"no scheme", "db:5432/x?password=hunter2", "db:5432/x?password=***"},
		{"at sign in query", "https://h/?email=a@b.c&key=k", "https://h/?email=a@b.c&key=***"},
		{"user info before a broken scheme", ":0000@://", "***@://"},
		{"at signs on both sides of a broken scheme", "@://user:Hunter2x9@h", "***@h"},
		{"user info, no scheme", "user:pass@db:5432/x", "***@db:5432/x"},
		{"at sign in a path, no scheme", "db/x@y", "db/x@y"},
		{"password with a slash, no scheme", "u:pa/ss@db", "***@db"},
		{"password with a question mark, no scheme", "u:pa?ss@db/x?sslmode=require&password=hunter2", "***@db/x?sslmode=require&password=***"},
		{"at sign in a path after a port, no scheme", "db:5432/x@y", "***@y"},
		{"scheme-relative", "//admin:pass@h/x?token=abc", "//***@h/x?token=***"},
		{"scheme-relative, password with a slash", "//u:pa/ss@h/x", "//***@h/x"},
		{"scheme-relative, no user info", "//h/x?next=http://a@b/", "//h/x?next=http://a@b/"},
		{"path", "/home?q=1", "/home?q=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactURL(tc.in)
			if got != tc.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
			for _, secret := range []string{"pass:", "p%40ss", "token@", "hunter2", "pa/ss", "=abc"} {
				if strings.Contains(tc.in, secret) && strings.Contains(got, secret) {
					t.Errorf("RedactURL(%q) = %q still shows %q", tc.in, got, secret)
				}
			}
		})
	}
}

func TestRedactHeader(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		{"Location", "http://admin:pw@h/home", "http://***@h/home"},
		{"location", "/cb#access_token=tok&token_type=bearer", "/cb#access_token=***&token_type=bearer"},
		{"Location", "//admin:pw@h/home", "//***@h/home"},
		{"Content-Location", "/a?token=tok", "/a?token=***"},
		{"Refresh", "0; url=http://admin:pw@h/x?key=k", "0; url=http://***@h/x?key=***"},
		{"Link", "<https://u:pw@h/next>; rel=next", "<https://***@h/next>; rel=next"},
		{"Set-Cookie", "sid=abc; Path=/", "***"},
		{"Authorization", "Bearer tok", "***"},
		{"X-Request-Id", "http://admin:pw@h/", "http://admin:pw@h/"},
	} {
		if got := RedactHeader(tc.name, tc.value); got != tc.want {
			t.Errorf("RedactHeader(%q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestExpandVars(t *testing.T) {
	t.Setenv("FRONTLINE_TOKEN", "s3cr3t")
	vars := Map{
		"csrf":    {Value: "c-123"},
		"session": {Value: "sess-456", Secret: true},
		"evil":    {Value: "${env:FRONTLINE_TOKEN}"},
		"escaped": {Value: "$${env:FRONTLINE_TOKEN}"},
		"empty":   {},
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"variable", "csrf=${csrf}", "csrf=c-123"},
		{"with env", "${env:FRONTLINE_TOKEN}/${csrf}", "s3cr3t/c-123"},
		// A response returning a reference must not make it resolve.
		{"value is not expanded again", "token=${evil}", "token=${env:FRONTLINE_TOKEN}"},
		{"value is not unescaped", "${escaped}", "$${env:FRONTLINE_TOKEN}"},
		{"empty value", "[${empty}]", "[]"},
		{"escaped variable", "$${csrf}", "${csrf}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m Masker
			got, err := m.ExpandVars(tc.in, vars.Lookup)
			if err != nil {
				t.Fatalf("ExpandVars(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ExpandVars(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if strings.Contains(m.Mask(got), "s3cr3t") {
				t.Errorf("Mask(%q) shows the secret", got)
			}
		})
	}

	var m Masker
	lookups := 0
	lookup := func(name string) (Var, bool) {
		lookups++
		return vars.Lookup(name)
	}
	if _, err := m.ExpandVars("${csrf} ${session}", lookup); err != nil {
		t.Fatal(err)
	}
	if lookups != 2 {
		t.Errorf("lookup called %d times, want 2", lookups)
	}
	if got, want := m.Mask("csrf c-123 session sess-456"), "csrf c-123 session ***"; got != want {
		t.Errorf("after expanding a secret variable, Mask = %q, want %q", got, want)
	}
}

func TestExpandFailsWhole(t *testing.T) {
	// An error leaves nothing registered half-way and returns no text.
	t.Setenv("FRONTLINE_TOKEN", "s3cr3t")
	var m Masker
	got, err := m.Expand("${env:FRONTLINE_TOKEN} ${nope}")
	if err == nil || got != "" {
		t.Fatalf("Expand = %q, %v; want an error and no text", got, err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %q shows the secret", err)
	}
	if got := m.Mask("s3cr3t"); got != "s3cr3t" {
		t.Errorf("a failed Expand registered a value: Mask = %q", got)
	}
}

func TestMaskForms(t *testing.T) {
	const pass = "p@ss word/1+"
	var m Masker
	m.Add(pass)
	m.AddBasicAuth("alice", "open sesame")
	for _, tc := range []struct{ name, text string }{
		{"plain", pass},
		{"query escaped", url.QueryEscape(pass)},
		{"path escaped", url.PathEscape(pass)},
		{"base64", base64.StdEncoding.EncodeToString([]byte(pass))},
		{"base64 URL, unpadded", base64.RawURLEncoding.EncodeToString([]byte(pass))},
		{"basic auth header", base64.StdEncoding.EncodeToString([]byte("alice:open sesame"))},
		{"basic password", "open sesame"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := "sent [" + tc.text + "] to the server"
			if got, want := m.Mask(in), "sent [***] to the server"; got != want {
				t.Errorf("Mask(%q) = %q, want %q", in, got, want)
			}
		})
	}
	if got := m.Mask("alice"); got != "alice" {
		t.Errorf("the Basic user alone is masked: %q", got)
	}
	// With no password the user is the credential, as an API key sent as
	// the user of Basic authentication is (sk_live_...:).
	var empty Masker
	empty.AddBasicAuth("sk_live_4eC39HqLyjWD", "")
	if got, want := empty.Mask("key sk_live_4eC39HqLyjWD, header c2tfbGl2ZV80ZUMzOUhxTHlqV0Q6"), "key ***, header ***"; got != want {
		t.Errorf("an empty password: Mask = %q, want %q", got, want)
	}
	var none Masker
	none.AddBasicAuth("", "")
	if got := none.Mask("Og=="); got != "Og==" {
		t.Errorf("no user and no password registered something: %q", got)
	}
}

// TestConcurrent is for -race: steps expand and print in parallel.
func TestConcurrent(t *testing.T) {
	t.Setenv("FRONTLINE_TOKEN", "s3cr3t")
	var m Masker
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := fmt.Sprintf("value-%d", i)
			for range 50 {
				if _, err := m.ExpandVars("${env:FRONTLINE_TOKEN} ${v}", Map{"v": {Value: v, Secret: true}}.Lookup); err != nil {
					t.Error(err)
					return
				}
				m.AddBasicAuth("u", v)
				if got := m.Mask("s3cr3t " + v); got != "*** ***" {
					t.Errorf("Mask = %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSecretHeader(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "proxy-authorization": true, "Cookie": true, "Set-Cookie": true,
		"Content-Type": false, "X-Request-Id": false,
	} {
		if got := SecretHeader(name); got != want {
			t.Errorf("SecretHeader(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestAddHeader(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		text, want  string
	}{
		{"Authorization", "Bearer tok-123456", "token tok-123456 echoed", "token *** echoed"},
		{"proxy-authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("u:pw-9876")), "got u:pw-9876", "got u:***"},
		{"Cookie", "lang=en; sid=abcdef123456", "sid is abcdef123456, lang en", "sid is ***, lang en"},
		{"X-Trace", "not-a-secret-1", "not-a-secret-1", "not-a-secret-1"},
	} {
		var m Masker
		m.AddHeader(tc.name, tc.value)
		if got := m.Mask(tc.text); got != tc.want {
			t.Errorf("AddHeader(%q, %q): Mask(%q) = %q, want %q", tc.name, tc.value, tc.text, got, tc.want)
		}
	}
}

// TestMaskEscapedForms is every form a server echoes a secret in, whole
// and cut short: no Run bytes of any form may be left.
func TestMaskEscapedForms(t *testing.T) {
	const pass = "s3\"cret-pw \\ <&>\t'é"
	var m Masker
	m.Add(pass)
	for _, f := range Forms(pass) {
		for _, text := range []string{
			"got " + f + " back",
			"cut " + f[:len(f)/2] + "…",
			"quoted " + strconv.Quote(f),
		} {
			got := m.Mask(text)
			if run := leftRun(got, Forms(pass)); run != "" {
				t.Errorf("Mask(%q) = %q leaves %q", text, got, run)
			}
		}
	}
	for _, text := range []string{
		`{"password":"s3\u0022cret-pw \\ \u003c\u0026\u003e\t\u0027\u00e9"}`, // every character escaped as JSON can
		`value=s3&#x22;cret-pw &#92; &LT;&amp;&gt;&#9;&#39;&eacute;`,         // entities of every kind
		`s3%22cret-pw%20%5c%20%3C%26%3E%09%27%C3%A9`,                         // mixed-case escapes
		`"{\"p\":\"s3\\\"cret-pw \\\\ <&>\\t'é\"}"`,                          // a quoted JSON document
	} {
		got := m.Mask(text)
		if strings.Contains(got, "cret-pw") {
			t.Errorf("Mask(%q) = %q shows the secret", text, got)
		}
	}
}

// TestMaskPieces: gojq quotes a value cut at about 24 bytes; a long
// secret's prefix is masked, a short secret only whole.
func TestMaskPieces(t *testing.T) {
	var m Masker
	m.Add("LongSecretValue_ABCDEFGHIJKLMNOP")
	m.Add("short7x")
	for _, tc := range []struct{ in, want string }{
		{`tonumber cannot be applied to "LongSecretValue_ABCDEFGH ..."`, `tonumber cannot be applied to "*** ..."`},
		{`ends in ABCDEFGHIJKLMNOP`, `ends in ***`},
		{"seven bytes LongSec stay", "seven bytes LongSec stay"},
		{"short7x whole, short7 cut", "*** whole, short7 cut"},
	} {
		if got := m.Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMaskBase64Inside: a long secret base64-encoded inside a longer
// text, at any of the three alignments, is masked.
func TestMaskBase64Inside(t *testing.T) {
	const pass = "open-sesame-42"
	var m Masker
	m.Add(pass)
	for _, prefix := range []string{"", "a", "ab", "abc", "user:"} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			e := enc.EncodeToString([]byte(prefix + pass + "!tail"))
			if got := m.Mask(e); got == e {
				t.Errorf("base64 of %q: Mask(%q) masks nothing", prefix+pass, e)
			}
		}
	}
}

func TestProcessWriter(t *testing.T) {
	var m Masker
	m.Add("hunter2-hunter2")
	var b strings.Builder
	w := m.Writer(&b)
	if n, err := w.Write([]byte("pw hunter2-hunter2\n")); err != nil || n != 19 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if got := b.String(); got != "pw ***\n" {
		t.Errorf("wrote %q", got)
	}
	//lint:ignore SA4000 two calls must return the same masker
	if Process() != Process() {
		t.Error("Process is not one masker")
	}
}

// leftRun returns a Run-byte piece of one of forms that s still holds,
// or "".
func leftRun(s string, forms []string) string {
	for _, f := range forms {
		for i := 0; i+Run <= len(f); i++ {
			if strings.Contains(s, f[i:i+Run]) {
				return f[i : i+Run]
			}
		}
	}
	return ""
}

func TestAddURL(t *testing.T) {
	var m Masker
	m.AddURL("https://monitor:pa%24%24word-1@h/p?apikey=Key%2B12345678&page=2#access_token=frag-token-99")
	m.AddURL("::not a URL?token=unparsed-token-1")
	m.AddURL("https://ops:Broken/Pw-123@h/p")
	for _, tc := range []struct{ in, want string }{
		{"echo pa$$word-1", "echo ***"},
		{"echo " + base64.StdEncoding.EncodeToString([]byte("monitor:pa$$word-1")), "echo ***"},
		{"key Key+12345678 and Key%2B12345678", "key *** and ***"},
		{"fragment frag-token-99", "fragment ***"},
		{"unparsed-token-1", "***"},
		{"a password that breaks the URL: Broken/Pw-123", "a password that breaks the URL: ***"},
		{"page 2, user monitor", "page 2, user monitor"},
	} {
		if got := m.Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMaskLongSecret: a secret of tens of KiB (a request body from
// ${file:}) is masked by pieces as it is, and whole in its other forms.
func TestMaskLongSecret(t *testing.T) {
	long := strings.Repeat(`{"k":"v&w"},`, 6000)
	var m Masker
	m.Add(long)
	if got := m.Mask("cut " + long[100:200] + "…"); got != "cut ***…" {
		t.Errorf("a piece of a long secret: Mask = %q", got)
	}
	if got := m.Mask(base64.StdEncoding.EncodeToString([]byte(long))); got != "***" {
		t.Errorf("a long secret's base64: Mask = %.40q", got)
	}
	if len(m.runs) > 2*len(long) {
		t.Errorf("%d pieces registered for a secret of %d bytes", len(m.runs), len(long))
	}
}

// ExpandElsewhere reads no environment and no file: their references are
// left as written once their form is checked; variables and $${ expand as
// ExpandVars expands them.
func TestExpandElsewhere(t *testing.T) {
	t.Setenv("ELSEWHERE_SET", "value-of-this-host")
	vars := Map{"tok": {Value: "t1"}}.Lookup
	got, err := ExpandElsewhere("a=${env:ELSEWHERE_SET} b=${file:/nonexistent/x} c=${tok} d=$${env:X}", vars)
	if want := "a=${env:ELSEWHERE_SET} b=${file:/nonexistent/x} c=t1 d=${env:X}"; err != nil || got != want {
		t.Errorf("ExpandElsewhere = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{"${env:}", "${file:}", "${vault:x}", "${nope}", "${env:X"} {
		if _, err := ExpandElsewhere(bad, vars); err == nil {
			t.Errorf("ExpandElsewhere(%q) accepted it", bad)
		}
	}
}

func TestLineWriter(t *testing.T) {
	var m Masker
	m.Add("R3c0verT0kenXYZ99")
	for _, tc := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"a secret in pieces", []string{"token R3c0ve", "rT0ken", "XYZ99 ok\nnext\n"}, "token *** ok\nnext\n"},
		{"a last line without its end", []string{"done ", "R3c0verT0kenXYZ99"}, "done ***"},
		{"nothing", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			w := m.LineWriter(&b)
			for _, s := range tc.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.Close()
			if b.String() != tc.want {
				t.Errorf("wrote %q, want %q", b.String(), tc.want)
			}
		})
	}
	// A line without end is written in parts, each masked, rather than
	// held whole: a part once what follows it is seen far enough to know
	// no secret crosses the cut.
	var b strings.Builder
	w := m.LineWriter(&b)
	w.Write([]byte(strings.Repeat("x", maxLine+cutAhead-1)))
	if b.Len() != 0 {
		t.Errorf("after %d bytes without a newline, %d written; want 0", maxLine+cutAhead-1, b.Len())
	}
	w.Write([]byte("x"))
	if b.Len() != maxLine {
		t.Errorf("after %d bytes without a newline, %d written; want %d", maxLine+cutAhead, b.Len(), maxLine)
	}
}

// A line cut for its length is never cut inside a secret: the piece on
// either side of the cut may be too short to be told from chance.
func TestLineWriterCutKeepsSecretsWhole(t *testing.T) {
	const tok = "R3c0verT0kenXYZ99"
	var m Masker
	m.Add(tok)
	for _, before := range []int{maxLine - 3, maxLine - 9, maxLine - len(tok) + 1, maxLine - 1} {
		var b strings.Builder
		w := m.LineWriter(&b)
		line := strings.Repeat("x", before) + tok + strings.Repeat("y", 5) + "\n"
		// In writes of the size a pipe gives, as the command's output
		// comes.
		for i := 0; i < len(line); i += 4096 {
			w.Write([]byte(line[i:min(i+4096, len(line))]))
		}
		w.Close()
		if want := strings.Repeat("x", before) + "***yyyyy\n"; b.String() != want {
			t.Errorf("%d bytes before the secret: wrote ...%q, want ...%q", before, b.String()[before-5:], want[before-5:])
		}
	}
}

func TestURLsIn(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"systemctl restart nginx", nil},
		{"curl -fsS https://ops:pw@127.0.0.1:9/restart && echo ok", []string{"https://ops:pw@127.0.0.1:9/restart"}},
		{"curl --url=https://a/x; U='http://b/?t=1' wget \"ftp://c\"", []string{"https://a/x;", "http://b/?t=1", "ftp://c"}},
		{"x-y+z.1://a/ --9http://b/ ://c", []string{"x-y+z.1://a/", "http://b/"}},
		{"https://a/\nhttps://b/", []string{"https://a/", "https://b/"}},
	} {
		if got := URLsIn(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("URLsIn(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
