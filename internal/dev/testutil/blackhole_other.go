//go:build !linux

package testutil

import "testing"

// BlackHole skips: the listen-queue trick it relies on is Linux's.
func BlackHole(t testing.TB) string {
	t.Helper()
	t.Skip("no black hole on this system")
	return ""
}
