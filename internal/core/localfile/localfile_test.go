package localfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("hello"), 0o600)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 2048), 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       string // content, or a part of the error
		tooLarge   bool
	}{
		{"regular", small, "hello", false},
		{"over the limit", big, "is larger than 1 KiB", true},
		{"fifo", fifo, "is a FIFO, not a regular file", false},
		{"device", "/dev/zero", "is a device", false},
		{"directory", dir, "is a directory", false},
		{"missing", filepath.Join(dir, "none"), "no such file", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Read(tt.path, 1024)
			if err == nil {
				if string(data) != tt.want {
					t.Fatalf("Read = %q, want %q", data, tt.want)
				}
				return
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
			if errors.Is(err, ErrTooLarge) != tt.tooLarge {
				t.Fatalf("errors.Is(ErrTooLarge) = %v, want %v", !tt.tooLarge, tt.tooLarge)
			}
		})
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 4 << 20: "4 MiB", 64 << 10: "64 KiB", 1000: "1000 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
