package ber

import (
	"bytes"
	"testing"
)

func FuzzSplit(f *testing.F) {
	for _, seed := range [][]byte{
		{0x30, 0x00},
		{0x30, 0x03, 0x02, 0x01, 0x01},
		{0x30, 0x81, 0x01, 0x00, 0xff},
		{0x30, 0x82, 0x01, 0x00},
		{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff},
		{0x30, 0x84, 0xff, 0xff, 0xff, 0xff},
		{0x30, 0x85, 1, 1, 1, 1, 1},
		{0x30, 0x80, 0x00, 0x00},
		{0x02},
		{0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00},
	} {
		f.Add(seed, byte(0x30))
	}
	f.Fuzz(func(t *testing.T, b []byte, tag byte) {
		contents, rest, err := Split(b, tag)
		if err != nil {
			return
		}
		if b[0] != tag || len(contents)+len(rest) > len(b)-2 || !bytes.HasSuffix(b, rest) {
			t.Fatalf("Split(%x, %#x) = %x, %x: not the parts of its input", b, tag, contents, rest)
		}
		got, err := Read(bytes.NewReader(b), tag, len(b))
		if err != nil || !bytes.Equal(got, contents) {
			t.Fatalf("Read(%x) = %x, %v; Split found %x", b, got, err, contents)
		}
	})
}

func FuzzRead(f *testing.F) {
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01}, 16)
	f.Add([]byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, 1<<16)
	f.Add([]byte{0x30, 0x81}, 16)
	f.Add([]byte{0x30, 0x88, 1, 2, 3, 4, 5, 6, 7, 8}, 16)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		if max < 0 || max > 1<<20 {
			return
		}
		got, err := Read(bytes.NewReader(b), 0x30, max)
		if err == nil && len(got) > max {
			t.Fatalf("Read returned %d bytes, more than the %d allowed", len(got), max)
		}
	})
}
