package httpprobe

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	gz := func(p []byte) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(p)
		w.Close()
		return b.Bytes()
	}
	text := []byte("all good")
	for _, tc := range []struct {
		name   string
		header []string
		body   []byte
		err    string
	}{
		{"none", nil, text, ""},
		{"identity", []string{"identity"}, text, ""},
		{"upper case", []string{"GZIP"}, gz(text), ""},
		{"two layers in one header", []string{"gzip, identity, gzip"}, gz(gz(text)), ""},
		{"two layers in two headers", []string{"gzip", "gzip"}, gz(gz(text)), ""},
		{"not gzip after all", []string{"gzip"}, text, "gzip body: "},
		{"unknown", []string{"gzip", "zstd"}, text, "body sent with Content-Encoding zstd, which the check cannot decode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decode(bytes.NewReader(tc.body), tc.header)
			if err == nil {
				var got []byte
				if got, err = io.ReadAll(r); err == nil && !bytes.Equal(got, text) {
					t.Errorf("decoded %q", got)
				}
			}
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
		})
	}
}
