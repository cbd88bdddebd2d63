// Command distzip packs release zips and their checksums the same way on
// every machine, with no zip or sha256sum program installed:
//
//	distzip zip OUT.zip DIR   every regular file of DIR, flat, into OUT.zip
//	distzip sums DIR          DIR/SHA256SUMS over DIR/*.zip
//
// The zips are reproducible: entries in name order, one fixed time, and
// modes from what the file is (0755 for executables, 0644 otherwise), so
// that the same binaries give the same bytes.
package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// modified is the time of every entry: any fixed time will do, and the
// zip format's own epoch says plainly that it means nothing.
var modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	var err error
	switch {
	case len(os.Args) == 4 && os.Args[1] == "zip":
		err = writeZip(os.Args[2], os.Args[3])
	case len(os.Args) == 3 && os.Args[1] == "sums":
		err = writeSums(os.Args[2])
	default:
		err = errors.New("usage: distzip zip OUT.zip DIR | distzip sums DIR")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "distzip:", err)
		os.Exit(1)
	}
}

func writeZip(out, dir string) error {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("%s: nothing to pack", dir)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if !e.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", filepath.Join(dir, e.Name()))
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if err := addFile(zw, filepath.Join(dir, e.Name()), info); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

func addFile(zw *zip.Writer, path string, info fs.FileInfo) error {
	h := &zip.FileHeader{Name: info.Name(), Method: zip.Deflate, Modified: modified}
	// A Windows build host has no executable bit; its binaries say what
	// they are by their name.
	if info.Mode()&0o111 != 0 || strings.HasSuffix(info.Name(), ".exe") {
		h.SetMode(0o755)
	} else {
		h.SetMode(0o644)
	}
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeSums(dir string) error {
	zips, err := filepath.Glob(filepath.Join(dir, "*.zip"))
	if err != nil {
		return err
	}
	if len(zips) == 0 {
		return fmt.Errorf("%s: no zips to sum", dir)
	}
	slices.Sort(zips)
	var b strings.Builder
	for _, path := range zips {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// The format sha256sum -c and shasum -a 256 -c read.
		fmt.Fprintf(&b, "%x  %s\n", sha256.Sum256(data), filepath.Base(path))
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()), 0o644)
}
