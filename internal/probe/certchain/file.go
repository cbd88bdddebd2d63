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

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/ber"
)

// MaxFileSize bounds what is read as a certificate file: a bundle of a few
// thousand certificates fits, a log file or a device passed by mistake
// does not.
const MaxFileSize = 4 << 20

// ParseError reports the blocks of a file that could not be read as
// certificates. Parse and ReadFile return it together with every
// certificate that could be read, so that one certificate Go cannot parse
// does not hide the expiry of the others beside it.
type ParseError struct {
	// Path is the file, "" for data given to Parse.
	Path string
	// Problems says what is wrong with each bad block, in file order:
	// "PEM block 2 is not a valid certificate: ...".
	Problems []string
}

func (e *ParseError) Error() string {
	msg := strings.Join(e.Problems, "; ")
	if e.Path != "" {
		return e.Path + ": " + msg
	}
	return msg
}

// ReadFile returns every certificate in a PEM file (all CERTIFICATE,
// X509 CERTIFICATE and TRUSTED CERTIFICATE blocks: a fullchain file yields its intermediates
// too, other blocks such as keys are skipped) or a DER file.
//
// Only a regular file of at most MaxFileSize bytes is read: a FIFO or a
// device is refused before it is opened, so that it can neither block the
// check nor fill its memory.
//
// The error is a *ParseError when some blocks could not be read: certs then
// holds the others (possibly none), which are still to be judged. Any other
// error (the file cannot be read, or holds no certificate at all: a check
// that judges nothing must not say OK) comes with no certificates.
func ReadFile(path string) ([]*x509.Certificate, error) {
	data, err := localfile.Read(path, MaxFileSize)
	if err != nil {
		var pe *fs.PathError
		switch {
		case errors.As(err, &pe):
			return nil, fmt.Errorf("cannot read %s: %w", path, pe.Err)
		case errors.Is(err, localfile.ErrTooLarge):
			return nil, fmt.Errorf("%s is larger than %s, too large for a certificate file", path, localfile.Size(MaxFileSize))
		}
		if fi, serr := os.Stat(path); serr == nil && fi.IsDir() {
			return nil, fmt.Errorf("%s is a directory, not a certificate file (use a glob such as %s)", path, filepath.Join(path, "*.pem"))
		}
		return nil, err
	}
	certs, err := Parse(data)
	var bad *ParseError
	switch {
	case errors.As(err, &bad):
		bad.Path = path
		return certs, bad
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}

// Parse reads the certificates in PEM or DER data. Like ReadFile, it
// returns a *ParseError together with the certificates it could read when
// some blocks are damaged or not certificates Go can parse.
func Parse(data []byte) ([]*x509.Certificate, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return parsePEM(data)
	}
	if len(data) == 0 {
		return nil, errors.New("the file is empty: no certificate in it")
	}
	return parseDER(data)
}

func parsePEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	var problems []string
	rest := data
	for {
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
		// Blocks are numbered as a reader counts them in the file.
		number := func(at int) int { return bytes.Count(data[:len(data)-len(before)+at], pemBeginAny) + 1 }
		if i := damagedCertificate(passed); i >= 0 {
			problems = append(problems, fmt.Sprintf("PEM block %d is cut short or damaged (no END line, or not base64)", number(i)))
		}
		if block == nil {
			break
		}
		n := number(len(passed))
		var der []byte
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE":
			// The second is OpenSSL's old header, which it still
			// loads: a server may serve what such a block holds.
			der = block.Bytes
		case "TRUSTED CERTIFICATE":
			// OpenSSL's -trustout form: the certificate, then its trust
			// settings. Only the certificate's own SEQUENCE is read.
			der = firstElement(block.Bytes)
		default:
			continue
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			problems = append(problems, fmt.Sprintf("PEM block %d is not a valid certificate: %s", n, strings.TrimPrefix(err.Error(), "x509: ")))
			continue
		}
		certs = append(certs, c)
	}
	if len(problems) > 0 {
		return certs, &ParseError{Problems: problems}
	}
	if len(certs) == 0 {
		return nil, errors.New("no certificate in it (no PEM CERTIFICATE block)")
	}
	return certs, nil
}

// parseDER reads one or more DER certificates one after another, each on
// its own: one Go rejects does not hide the rest.
func parseDER(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	var problems []string
	for n := 1; len(data) > 0; n++ {
		der := firstElement(data)
		if der == nil {
			if n == 1 {
				return nil, errors.New("not a PEM or DER certificate")
			}
			problems = append(problems, fmt.Sprintf("%d bytes after DER certificate %d are not a certificate", len(data), n-1))
			break
		}
		data = data[len(der):]
		c, err := x509.ParseCertificate(der)
		if err != nil {
			if n == 1 && len(data) == 0 {
				return nil, errors.New("not a PEM or DER certificate")
			}
			problems = append(problems, fmt.Sprintf("DER certificate %d is not a valid certificate: %s", n, strings.TrimPrefix(err.Error(), "x509: ")))
			continue
		}
		certs = append(certs, c)
	}
	if len(problems) > 0 {
		return certs, &ParseError{Problems: problems}
	}
	return certs, nil
}

// firstElement returns the DER SEQUENCE at the front of b, tag and length
// included, or nil when b does not start with one.
func firstElement(b []byte) []byte {
	_, rest, err := ber.Split(b, 0x30)
	if err != nil {
		return nil
	}
	return b[:len(b)-len(rest)]
}

var pemBeginAny = []byte("-----BEGIN ")

// damagedCertificate returns where a CERTIFICATE block starts, at the start
// of a line, in text that pem.Decode passed over; -1 when none does.
func damagedCertificate(passed []byte) int {
	for _, begin := range []string{"\n-----BEGIN CERTIFICATE-----", "\n-----BEGIN X509 CERTIFICATE-----", "\n-----BEGIN TRUSTED CERTIFICATE-----"} {
		if i := bytes.Index(append([]byte{'\n'}, passed...), []byte(begin)); i >= 0 {
			return i
		}
	}
	return -1
}

// Glob expands a -f argument. A path that exists is used as it is, even
// when its name holds a glob character ("cert[1].pem"); otherwise a
// pattern that matches nothing is an error naming it, and a plain path is
// returned as it is, to be read (and reported on) like any other.
func Glob(pattern string) ([]string, error) {
	if !strings.ContainsAny(pattern, "*?[") {
		return []string{pattern}, nil
	}
	if _, err := os.Lstat(pattern); err == nil {
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
