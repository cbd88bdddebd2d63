package version

import "testing"

func TestString(t *testing.T) {
	for _, tt := range []struct {
		version, commit, want string
	}{
		{"v1.2.0", "0a1b2c3", "check-x v1.2.0 (0a1b2c3)"},
		{"v1.2.0-dirty", "0a1b2c3", "check-x v1.2.0-dirty (0a1b2c3)"},
		{"v1.2.0-3-g0a1b2c3", "0a1b2c3", "check-x v1.2.0-3-g0a1b2c3 (0a1b2c3)"},
		{"dev", "0a1b2c3", "check-x dev (0a1b2c3)"},
		{"dev", "none", "check-x dev (none)"},
		// No tag: git describe --always falls back to the commit.
		{"0a1b2c3", "0a1b2c3", "check-x 0a1b2c3"},
		{"0a1b2c3-dirty", "0a1b2c3", "check-x 0a1b2c3-dirty"},
		// A commit that merely starts the same is another commit.
		{"0a1b2c3d", "0a1b2c3", "check-x 0a1b2c3d (0a1b2c3)"},
	} {
		if got := format("check-x", tt.version, tt.commit); got != tt.want {
			t.Errorf("version %q, commit %q: got %q, want %q", tt.version, tt.commit, got, tt.want)
		}
	}
}

// String reads the variables the linker sets.
func TestStringUsesLinkedValues(t *testing.T) {
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	Version, Commit = "abc1234", "abc1234"
	if got, want := String("check-x"), "check-x abc1234"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
