package tlstarget

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsprobe"
)

func TestParseHost(t *testing.T) {
	for _, tc := range []struct {
		in          string
		defaultPort int
		want        Target
		label       string
	}{
		{"www.example.test", 443, Target{Host: "www.example.test", Port: 443}, "www.example.test:443"},
		{"www.example.test", 993, Target{Host: "www.example.test", Port: 993}, "www.example.test:993"},
		{"www.example.test:8443", 443, Target{Host: "www.example.test", Port: 8443}, "www.example.test:8443"},
		{"localhost:1", 443, Target{Host: "localhost", Port: 1}, "localhost:1"},
		{"192.0.2.7", 443, Target{Host: "192.0.2.7", Port: 443}, "192.0.2.7:443"},
		{"192.0.2.7:65535", 443, Target{Host: "192.0.2.7", Port: 65535}, "192.0.2.7:65535"},
		{"[2001:db8::1]", 443, Target{Host: "2001:db8::1", Port: 443}, "[2001:db8::1]:443"},
		{"[2001:db8::1]:8443", 443, Target{Host: "2001:db8::1", Port: 8443}, "[2001:db8::1]:8443"},
		{"2001:db8::1", 443, Target{Host: "2001:db8::1", Port: 443}, "[2001:db8::1]:443"},
		{"::1", 443, Target{Host: "::1", Port: 443}, "[::1]:443"},
		// A link-local address needs its zone.
		{"[fe80::1%lo]:8443", 443, Target{Host: "fe80::1%lo", Port: 8443}, "[fe80::1%lo]:8443"},
		{"fe80::1%eth0", 443, Target{Host: "fe80::1%eth0", Port: 443}, "[fe80::1%eth0]:443"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseHost(tc.in, tc.defaultPort)
			if err != nil {
				t.Fatalf("ParseHost(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseHost(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if got.Label() != tc.label {
				t.Errorf("Label() = %q, want %q", got.Label(), tc.label)
			}
		})
	}
}

func TestParseHostErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "empty host: write HOST[:PORT], e.g. www.example.com or [2001:db8::1]:8443"},
		{"[::1", `host "[::1" has no closing ']'`},
		{"[::1]8443", `host "[::1]8443": expected :PORT after ']'`},
		{"[::1]:", `host "[::1]:": port "" is not a number from 1 to 65535`},
		{"[::1]:0", `host "[::1]:0": port "0" is not a number from 1 to 65535`},
		{"[www.example.test]:443", `host "[www.example.test]:443": only an IPv6 address goes in brackets`},
		{"[::ffff:192.0.2.7]:443", `host "[::ffff:192.0.2.7]:443": only an IPv6 address goes in brackets`},
		// A flag after "--" is taken for a target: say so.
		{"-f", `host "-f" starts with '-': a flag given after "--", or a typo?`},
		{"www.example.test:", `host "www.example.test:": port "" is not a number from 1 to 65535`},
		{"www.example.test:65536", `host "www.example.test:65536": port "65536" is not a number from 1 to 65535`},
		{"www.example.test:https", `host "www.example.test:https": port "https" is not a number from 1 to 65535`},
		{"www.example.test:-1", `host "www.example.test:-1": port "-1" is not a number from 1 to 65535`},
		{":443", `host ":443" is not a host name or address (a URL needs a scheme such as https://)`},
		{"2001:db8::1:8443:x", `host "2001:db8::1:8443:x" is not a valid IPv6 address; with a port write [ADDRESS]:PORT`},
		{"www.example.test/health", `host "www.example.test/health" is not a host name or address (a URL needs a scheme such as https://)`},
		{"www example test", `host "www example test" is not a host name or address (a URL needs a scheme such as https://)`},
		{"https://www.example.test", `host "https://www.example.test" is a URL: give a URL with -u or as an argument, a host as HOST[:PORT]`},
		{"smtp://user:secret@mail.example.test:587", `host "smtp://***@mail.example.test:587" is a URL: give a URL with -u or as an argument, a host as HOST[:PORT]`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseHost(tc.in, 443)
			if err == nil {
				t.Fatalf("ParseHost(%q) = %+v, want an error", tc.in, got)
			}
			if err.Error() != tc.want {
				t.Errorf("ParseHost(%q) error:\n got %q\nwant %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestParseURLSchemes(t *testing.T) {
	want := map[string]Target{
		"https":      {Port: 443},
		"smtps":      {Port: 465},
		"imaps":      {Port: 993},
		"pop3s":      {Port: 995},
		"ldaps":      {Port: 636},
		"ftps":       {Port: 990},
		"smtp":       {Port: 25, StartTLS: "smtp"},
		"submission": {Port: 587, StartTLS: "smtp"},
		"imap":       {Port: 143, StartTLS: "imap"},
		"pop3":       {Port: 110, StartTLS: "pop3"},
		"ftp":        {Port: 21, StartTLS: "ftp"},
		"postgres":   {Port: 5432, StartTLS: "postgres"},
		"postgresql": {Port: 5432, StartTLS: "postgres"},
		"ldap":       {Port: 389, StartTLS: "ldap"},
		"mysql":      {Port: 3306, StartTLS: "mysql"},
		"tls":        {}, // no default port
	}
	schemes := Schemes()
	if !sort.StringsAreSorted(schemes) {
		t.Errorf("Schemes() = %q, not sorted", schemes)
	}
	seen := map[string]bool{}
	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			w, ok := want[scheme]
			if !ok {
				t.Fatalf("scheme %s has no expectation in this test", scheme)
			}
			seen[scheme] = true
			w.Host, w.Scheme = "mail.example.test", scheme

			got, err := ParseURL(scheme+"://mail.example.test", 443)
			switch {
			case w.Port == 0 && err == nil:
				t.Errorf("ParseURL(%s://mail.example.test) = %+v, want an error: no port", scheme, got)
			case w.Port != 0 && err != nil:
				t.Errorf("ParseURL(%s://mail.example.test): %v", scheme, err)
			case w.Port != 0 && got != w:
				t.Errorf("ParseURL(%s://mail.example.test) = %+v, want %+v", scheme, got, w)
			}

			w.Port = 8443
			got, err = ParseURL(strings.ToUpper(scheme)+"://mail.example.test:8443/path?q=1", 443)
			if err != nil || got != w {
				t.Errorf("ParseURL(%s://mail.example.test:8443/path?q=1) = %+v, %v; want %+v", strings.ToUpper(scheme), got, err, w)
			}
		})
	}
	for scheme := range want {
		if !seen[scheme] {
			t.Errorf("Schemes() lacks %s", scheme)
		}
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  Target
		label string
	}{
		{"https://www.example.test", Target{Host: "www.example.test", Port: 443, Scheme: "https"}, "www.example.test:443"},
		{"tls://db.example.test:5433", Target{Host: "db.example.test", Port: 5433, Scheme: "tls"}, "db.example.test:5433"},
		{"smtp://mail.example.test:587", Target{Host: "mail.example.test", Port: 587, StartTLS: "smtp", Scheme: "smtp"}, "smtp://mail.example.test:587"},
		{"imaps://mail.example.test", Target{Host: "mail.example.test", Port: 993, Scheme: "imaps"}, "imaps://mail.example.test:993"},
		{"https://[2001:db8::1]:8443/", Target{Host: "2001:db8::1", Port: 8443, Scheme: "https"}, "[2001:db8::1]:8443"},
		{"ldap://[::1]", Target{Host: "::1", Port: 389, StartTLS: "ldap", Scheme: "ldap"}, "ldap://[::1]:389"},
		{"postgres://app:s3cr3t@db.example.test:6432/app?sslmode=require", Target{Host: "db.example.test", Port: 6432, StartTLS: "postgres", Scheme: "postgres"}, "postgres://db.example.test:6432"},
		{"https://token@www.example.test", Target{Host: "www.example.test", Port: 443, Scheme: "https"}, "www.example.test:443"},
		{"www.example.test:8443", Target{Host: "www.example.test", Port: 8443}, "www.example.test:8443"},
		{"www.example.test", Target{Host: "www.example.test", Port: 443}, "www.example.test:443"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseURL(tc.in, 443)
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseURL(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if got.Label() != tc.label {
				t.Errorf("Label() = %q, want %q", got.Label(), tc.label)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"gopher://www.example.test", `unsupported URL scheme "gopher" in gopher://www.example.test: use one of ` + strings.Join(Schemes(), ", ")},
		{"gopher://user:s3cr3t@www.example.test", `unsupported URL scheme "gopher" in gopher://***@www.example.test: use one of ` + strings.Join(Schemes(), ", ")},
		{"tls://db.example.test", "URL tls://db.example.test needs a port: tls://HOST:PORT"},
		{"https://", "URL https:// has no host"},
		{"https:///health", "URL https:///health has no host"},
		{"https://user:s3cr3t@/health", "URL https://***@/health has no host"},
		{"https://www.example.test:0", `URL https://www.example.test:0: port "0" is not a number from 1 to 65535`},
		{"https://www.example.test:65536", `URL https://www.example.test:65536: port "65536" is not a number from 1 to 65535`},
		{"https://www.example.test:abc", `cannot parse URL "https://www.example.test:abc": invalid port ":abc" after host`},
		{"https://user:s3cr3t@www.example.test:abc", `cannot parse URL "https://***@www.example.test:abc": percent-encode the user info (/ as %2F, ? as %3F, # as %23, @ as %40, space as %20)`},
		{"https://user:s3 cr3t@www.example.test", `cannot parse URL "https://***@www.example.test": percent-encode the user info (/ as %2F, ? as %3F, # as %23, @ as %40, space as %20)`},
		{"://www.example.test", `cannot parse URL "://www.example.test": missing protocol scheme`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseURL(tc.in, 443)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %+v, want an error", tc.in, got)
			}
			if err.Error() != tc.want {
				t.Errorf("ParseURL(%q) error:\n got %q\nwant %q", tc.in, err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "s3 cr3t") {
				t.Errorf("the error shows the password: %q", err)
			}
		})
	}
}

func TestTargetLabel(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    Target
		want string
	}{
		{"file", Target{Path: "/etc/ssl/fullchain.pem"}, "/etc/ssl/fullchain.pem"},
		{"glob", Target{Path: "/etc/ssl/*.pem"}, "/etc/ssl/*.pem"},
		{"-H", Target{Host: "www.example.test", Port: 443}, "www.example.test:443"},
		{"-H with --starttls", Target{Host: "mail.example.test", Port: 25, StartTLS: "smtp"}, "mail.example.test:25 (smtp starttls)"},
		{"-H IPv6 with --starttls", Target{Host: "::1", Port: 5432, StartTLS: "postgres"}, "[::1]:5432 (postgres starttls)"},
		{"STARTTLS URL", Target{Host: "mail.example.test", Port: 587, StartTLS: "smtp", Scheme: "submission"}, "submission://mail.example.test:587"},
		{"implicit TLS URL", Target{Host: "mail.example.test", Port: 465, Scheme: "smtps"}, "smtps://mail.example.test:465"},
		{"https URL", Target{Host: "www.example.test", Port: 443, Scheme: "https"}, "www.example.test:443"},
		{"tls URL", Target{Host: "10.0.0.5", Port: 8443, Scheme: "tls"}, "10.0.0.5:8443"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.Label(); got != tc.want {
				t.Errorf("Label() = %q, want %q", got, tc.want)
			}
			if tc.t.IsFile() != (tc.t.Path != "") {
				t.Errorf("IsFile() = %v", tc.t.IsFile())
			}
		})
	}
}

func TestParseHostNeverEchoesUserInfo(t *testing.T) {
	for _, in := range []string{"monitor:hunter2@db.example.test:5432", "hunter2@db.example.test"} {
		_, err := ParseHost(in, 443)
		if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "has user info") {
			t.Errorf("ParseHost(%q) error = %v", in, err)
		}
	}
	if _, err := ParseHost("[192.0.2.1]:443", 443); err == nil || !strings.Contains(err.Error(), "only an IPv6 address goes in brackets") {
		t.Errorf("ParseHost([192.0.2.1]:443) error = %v", err)
	}
}

// A STARTTLS protocol is a row of the scheme table and an upgrader in
// tlsprobe: a protocol with only one of them is a port without a dialogue,
// or a dialogue --starttls refuses.
func TestStartTLSProtocolsHaveUpgraders(t *testing.T) {
	if got, want := slices.Sorted(slices.Values(StartTLSProtocols())), tlsprobe.StartTLSProtocols(); !slices.Equal(got, want) {
		t.Errorf("the scheme table's STARTTLS protocols %q, tlsprobe's upgraders %q", got, want)
	}
	for _, p := range StartTLSProtocols() {
		if StartTLSPort(p) == 0 {
			t.Errorf("%s has no port", p)
		}
	}
}
