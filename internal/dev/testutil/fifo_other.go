//go:build !unix

package testutil

import "testing"

func mkfifo(t testing.TB, path string) {
	t.Skip("named pipes are Unix only")
}
