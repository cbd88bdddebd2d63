package tlsclient

import (
	"context"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/netflags"
)

// The anchors beside a flag that skips verification are refused before
// the file is read.
func TestTrustBesideSkip(t *testing.T) {
	_, _, err := Load(context.Background(), netflags.TLSClient{Trust: netflags.Trust{CAFile: "/nonexistent"}}, "--no-verify")
	if want := "--ca-file and --no-verify conflict"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("%v, want %q", err, want)
	}
	if trust, cert, err := Load(context.Background(), netflags.TLSClient{}, "--insecure"); trust != nil || cert != nil || err != nil {
		t.Errorf("no flag: %v, %v, %v", trust, cert, err)
	}
}
