package httpprobe

import (
	"os"
	"testing"
)

func TestKeepHTTP2(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http2client=0", ""},
		{"http2client=0,x509negativeserial=1", "x509negativeserial=1"},
		{"tlsrsakex=1, http2client=0", "tlsrsakex=1"},
		{"http2client=1", "http2client=1"},
		{"http2debug=1", "http2debug=1"},
	} {
		t.Setenv("GODEBUG", tc.in)
		KeepHTTP2()
		if got := os.Getenv("GODEBUG"); got != tc.want {
			t.Errorf("GODEBUG=%q: KeepHTTP2 left %q, want %q", tc.in, got, tc.want)
		}
	}
}
