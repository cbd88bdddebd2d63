package secret

import (
	"os"
	"path/filepath"
	"strings"
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
		{"other names left alone", "${user} ${vars.id} ${env:FRONTLINE_USER}", "${user} ${vars.id} alice"},
		{"unknown kind left alone", "${vault:kv/x}", "${vault:kv/x}"},
		{"unterminated", "a ${env:FRONTLINE_USER", "a ${env:FRONTLINE_USER"},
		{"dollar without brace", "$5 and ${env:FRONTLINE_USER}", "$5 and alice"},
		{"a value is not expanded again", "${env:FRONTLINE_REF}", "${env:FRONTLINE_TOKEN}"},
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
	for _, tc := range []struct {
		name, in string
		want     []string // in the error
	}{
		{"unset variable", "Bearer ${env:FRONTLINE_UNSET}", []string{"${env:FRONTLINE_UNSET}", "environment variable FRONTLINE_UNSET is not set"}},
		{"missing file", "${file:" + missing + "}", []string{"${file:" + missing + "}", "no such file"}},
		{"directory", "${file:" + t.TempDir() + "}", []string{"is a directory"}},
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactURL(tc.in)
			if got != tc.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
			for _, secret := range []string{"pass", "p%40ss", "token"} {
				if strings.Contains(tc.in, secret) && strings.Contains(got, secret) {
					t.Errorf("RedactURL(%q) = %q still shows %q", tc.in, got, secret)
				}
			}
		})
	}
}
