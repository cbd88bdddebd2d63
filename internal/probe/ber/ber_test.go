package ber

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func seq(tag byte, n int) []byte {
	return bytes.Repeat([]byte{tag}, n)
}

func TestSplit(t *testing.T) {
	long := seq(0xab, 200)
	longer := seq(0xcd, 300)
	for _, tc := range []struct {
		name     string
		in       []byte
		tag      byte
		contents []byte
		rest     []byte
	}{
		{"short form", []byte{0x30, 0x03, 1, 2, 3, 9, 9}, 0x30, []byte{1, 2, 3}, []byte{9, 9}},
		{"empty contents", []byte{0x04, 0x00}, 0x04, []byte{}, []byte{}},
		{"nothing after", []byte{0x02, 0x01, 0x07}, 0x02, []byte{7}, []byte{}},
		{"long form, one byte", append([]byte{0x30, 0x81, 200}, long...), 0x30, long, []byte{}},
		{"long form, two bytes", append(append([]byte{0x30, 0x82, 0x01, 0x2c}, longer...), 0xff), 0x30, longer, []byte{0xff}},
		{"long form of a short length", []byte{0x04, 0x81, 0x01, 0x61}, 0x04, []byte{0x61}, []byte{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			contents, rest, err := Split(tc.in, tc.tag)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if !bytes.Equal(contents, tc.contents) || !bytes.Equal(rest, tc.rest) {
				t.Errorf("Split = % x, % x; want % x, % x", contents, rest, tc.contents, tc.rest)
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"nil", nil, "unexpected BER element, want tag 0x30"},
		{"one byte", []byte{0x30}, "unexpected BER element"},
		{"wrong tag", []byte{0x31, 0x00}, "unexpected BER element, want tag 0x30"},
		{"truncated", []byte{0x30, 0x05, 1, 2}, "truncated BER element"},
		{"truncated long form", append([]byte{0x30, 0x81, 0x80}, seq(0, 100)...), "truncated BER element"},
		{"indefinite length", []byte{0x30, 0x80, 0, 0}, "unsupported BER length"},
		{"five length bytes", []byte{0x30, 0x85, 0, 0, 0, 0, 1, 0}, "unsupported BER length"},
		{"length bytes missing", []byte{0x30, 0x82, 0x01}, "unsupported BER length"},
		{"huge length", []byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0}, "truncated BER element"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			contents, rest, err := Split(tc.in, 0x30)
			if err == nil {
				t.Fatalf("Split(% x) = % x, % x; want an error", tc.in, contents, rest)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Split(% x) error %q, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestRead(t *testing.T) {
	long := seq(0x61, 300)
	for _, tc := range []struct {
		name     string
		in       []byte
		max      int
		contents []byte
		left     []byte // what Read must leave in the reader
	}{
		{"short form", []byte{0x30, 0x02, 1, 2, 0x30, 0x00}, 10, []byte{1, 2}, []byte{0x30, 0x00}},
		{"empty", []byte{0x30, 0x00}, 10, []byte{}, nil},
		{"long form", append(append([]byte{0x30, 0x82, 0x01, 0x2c}, long...), 7), 300, long, []byte{7}},
		{"exactly max", []byte{0x30, 0x03, 1, 2, 3}, 3, []byte{1, 2, 3}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := bytes.NewReader(tc.in)
			got, err := Read(r, 0x30, tc.max)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !bytes.Equal(got, tc.contents) {
				t.Errorf("Read = % x, want % x", got, tc.contents)
			}
			if left, _ := io.ReadAll(r); !bytes.Equal(left, tc.left) {
				t.Errorf("Read left % x unread, want % x", left, tc.left)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []byte
		max     int
		want    string
		wantErr error
	}{
		{"nothing", nil, 10, "", io.EOF},
		{"one byte", []byte{0x30}, 10, "", io.ErrUnexpectedEOF},
		{"wrong tag", []byte{0x31, 0x00}, 10, "unexpected BER tag 0x31, want 0x30", nil},
		{"longer than max", []byte{0x30, 0x04, 1, 2, 3, 4}, 3, "BER element of 4 bytes, more than 3", nil},
		{"huge length refused before reading", []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, 1 << 16, "more than 65536", nil},
		{"truncated contents", []byte{0x30, 0x05, 1, 2}, 10, "", io.ErrUnexpectedEOF},
		{"truncated length", []byte{0x30, 0x82, 0x01}, 10, "", io.ErrUnexpectedEOF},
		{"indefinite length", []byte{0x30, 0x80, 0, 0}, 10, "unsupported BER length", nil},
		{"five length bytes", []byte{0x30, 0x85, 0, 0, 0, 0, 1}, 10, "unsupported BER length", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(bytes.NewReader(tc.in), 0x30, tc.max)
			if err == nil {
				t.Fatalf("Read(% x) = % x, want an error", tc.in, got)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Read(% x) error %v, want %v", tc.in, err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Read(% x) error %q, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}
