package certchain

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxFileSize bounds what is read as a certificate file: a bundle of a few
// hundred certificates fits, a log file passed by mistake does not.
const maxFileSize = 8 << 20

// ReadFile returns every certificate in a PEM file (all CERTIFICATE blocks:
// a fullchain file yields its intermediates too, other blocks such as keys
// are skipped) or a DER file. A file with no certificate is an error: a
// check that ends up judging nothing must not say OK.
func ReadFile(path string) ([]*x509.Certificate, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a certificate file (use a glob such as %s)", path, filepath.Join(path, "*.pem"))
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is %d bytes, too large for a certificate file", path, info.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	certs, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}

// Parse reads the certificates in PEM or DER data.
func Parse(data []byte) ([]*x509.Certificate, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		var certs []*x509.Certificate
		rest := data
		for n := 1; ; n++ {
			before := rest
			var block *pem.Block
			block, rest = pem.Decode(rest)
			// pem.Decode passes over a block it cannot decode (cut short,
			// no END line, not base64) to the next one: a damaged
			// certificate in a bundle must not go unnoticed.
			passed := before
			if block != nil {
				passed = before[:len(before)-len(rest)]
				passed = passed[:bytes.LastIndex(passed, pemBeginAny)]
			}
			if i := damagedCertificate(passed); i >= 0 {
				at := len(data) - len(before) + i
				return nil, fmt.Errorf("PEM block %d is cut short or damaged (no END line, or not base64)", bytes.Count(data[:at], pemBeginAny)+1)
			}
			if block == nil {
				break
			}
			if block.Type != "CERTIFICATE" && block.Type != "TRUSTED CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d is not a valid certificate: %s", n, strings.TrimPrefix(err.Error(), "x509: "))
			}
			certs = append(certs, c)
		}
		if len(certs) == 0 {
			return nil, errors.New("no certificate in it (no PEM CERTIFICATE block)")
		}
		return certs, nil
	}
	if len(data) == 0 {
		return nil, errors.New("the file is empty: no certificate in it")
	}
	certs, err := x509.ParseCertificates(data)
	if err != nil || len(certs) == 0 {
		return nil, errors.New("not a PEM or DER certificate")
	}
	return certs, nil
}

var pemBeginAny = []byte("-----BEGIN ")

// damagedCertificate returns where a CERTIFICATE block starts, at the start
// of a line, in text that pem.Decode passed over; -1 when none does.
func damagedCertificate(passed []byte) int {
	for _, begin := range []string{"\n-----BEGIN CERTIFICATE-----", "\n-----BEGIN TRUSTED CERTIFICATE-----"} {
		if i := bytes.Index(append([]byte{'\n'}, passed...), []byte(begin)); i >= 0 {
			return i
		}
	}
	return -1
}

// Glob expands a -f argument. A pattern that matches nothing is an error
// naming it; a plain path is returned as it is, to be read (and reported
// on) like any other.
func Glob(pattern string) ([]string, error) {
	if !strings.ContainsAny(pattern, "*?[") {
		return []string{pattern}, nil
	}
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad glob %s: %w", pattern, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s matches no file", pattern)
	}
	return paths, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
