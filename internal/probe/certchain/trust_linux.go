package certchain

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/ber"
)

// Where Go looks for the system's anchors on Linux, in the same order and
// with the same SSL_CERT_FILE / SSL_CERT_DIR overrides. The store is read
// here rather than with x509.SystemCertPool because that parses every one of
// the few hundred certificates in it (the bundle, and again each file of
// the directory): most of a check's time and memory.
var (
	systemCertFiles = []string{
		"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo
		"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6, Amazon Linux
		"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
		"/etc/pki/tls/cacert.pem",                           // OpenELEC
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
		"/etc/ssl/cert.pem",                                 // Alpine
	}
	systemCertDirs = []string{
		"/etc/ssl/certs",
		"/etc/pki/tls/certs",
	}
)

// maxStoreFileSize bounds one file of the system store. Go reads any
// size; the largest bundles shipped are well under a megabyte.
const maxStoreFileSize = 16 << 20

// systemAnchors adds to pool the system certificates whose subject is in
// want. Only names are read from the others: parsing every certificate of
// the store is what makes x509.SystemCertPool slow and large.
//
// The files and directories are chosen as Go chooses them: the first
// bundle that can be read, then every file of the directories. The error
// is the first place that exists but could not be read, as a *StoreError,
// whatever was read elsewhere.
func systemAnchors(pool *x509.CertPool, want map[string]bool, dirsToo bool) error {
	// One buffer for the files and one for the decoded certificates serve
	// the whole store: a check runs every minute on every host, and the
	// store is hundreds of certificates it mostly does not need.
	var file, der []byte
	read := func(path string) error {
		// Non-blocking, as localfile opens: a FIFO or a device in the
		// store would otherwise block the open until the deadline. The
		// stat below then refuses it.
		f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		switch {
		case err != nil:
			return err
		case info.IsDir():
			return errors.New("is a directory, not a file")
		case !info.Mode().IsRegular():
			return errors.New("not a regular file")
		case info.Size() > maxStoreFileSize:
			return fmt.Errorf("larger than %s", localfile.Size(maxStoreFileSize))
		}
		if n := int(info.Size()); cap(file) < n {
			file = make([]byte, n)
		}
		n, err := io.ReadFull(f, file[:info.Size()])
		file = file[:n]
		return err
	}
	var first error
	// A certificate that cannot be read may be the anchor wanted: it is
	// reported (when nothing worse is) as --ca-file's damaged blocks are.
	damaged := func(path string, i int, why string) {
		if first == nil {
			first = &StoreError{Path: path, Err: fmt.Errorf("certificate %d is not a valid certificate: %s", i, why), Damaged: true}
		}
	}
	add := func(path string) {
		rest := file
		for i := 1; ; i++ {
			body, after, ok := nextPEMCertificate(rest)
			if !ok {
				return
			}
			rest = after
			if n := base64.StdEncoding.DecodedLen(len(body)); cap(der) < n {
				der = make([]byte, n)
			}
			n, err := base64.StdEncoding.Decode(der[:cap(der)], body)
			if err != nil {
				damaged(path, i, "not base64")
				continue
			}
			subject, ok := rawSubject(der[:n])
			if ok && !want[subject] {
				continue
			}
			c, err := x509.ParseCertificate(bytes.Clone(der[:n]))
			if err != nil {
				damaged(path, i, strings.TrimPrefix(err.Error(), "x509: "))
				continue
			}
			pool.AddCert(c)
		}
	}
	failed := func(path string, err error) {
		if first == nil && !errors.Is(err, fs.ErrNotExist) {
			first = &StoreError{Path: path, Err: unwrapPath(err)}
		}
	}

	files := systemCertFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		if err := read(f); err != nil {
			failed(f, err)
			continue
		}
		add(f)
		break
	}
	if !dirsToo {
		return first
	}
	// Empty means the defaults, as in Go (and OpenSSL), not no directory.
	dirs := systemCertDirs
	if d := os.Getenv("SSL_CERT_DIR"); d != "" {
		dirs = strings.Split(d, ":")
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			failed(dir, err)
			continue
		}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			if e.Type()&os.ModeSymlink != 0 && linksWithin(dir, path) {
				continue // a hash link to a file read anyway
			}
			if read(path) == nil {
				add(path)
			}
		}
	}
	return first
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var (
	pemBegin = []byte("-----BEGIN CERTIFICATE-----")
	pemEnd   = []byte("-----END CERTIFICATE-----")
)

// nextPEMCertificate finds the base64 body of the next CERTIFICATE block.
// The body keeps its line breaks, which the base64 decoder skips.
func nextPEMCertificate(data []byte) (body, rest []byte, ok bool) {
	i := bytes.Index(data, pemBegin)
	if i < 0 {
		return nil, nil, false
	}
	data = data[i+len(pemBegin):]
	j := bytes.Index(data, pemEnd)
	if j < 0 {
		return nil, nil, false
	}
	return bytes.TrimSpace(data[:j]), data[j+len(pemEnd):], true
}

// linksWithin reports whether the symlink at path points into dir, as
// Go's own loader skips such links.
func linksWithin(dir, path string) bool {
	target, err := os.Readlink(path)
	if err != nil {
		return false
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	return filepath.Dir(target) == filepath.Clean(dir)
}

// rawSubject finds the DER subject of a certificate without parsing it:
// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
// OPTIONAL, serialNumber, signature, issuer, validity, subject, ... } ... }
func rawSubject(der []byte) (string, bool) {
	cert, _, err := ber.Split(der, 0x30)
	if err != nil {
		return "", false
	}
	tbs, _, err := ber.Split(cert, 0x30)
	if err != nil {
		return "", false
	}
	rest := tbs
	if len(rest) > 0 && rest[0] == 0xa0 {
		if _, rest, err = ber.Split(rest, 0xa0); err != nil {
			return "", false
		}
	}
	for _, tag := range []byte{0x02, 0x30, 0x30, 0x30} { // serial, signature, issuer, validity
		if _, rest, err = ber.Split(rest, tag); err != nil {
			return "", false
		}
	}
	_, after, err := ber.Split(rest, 0x30)
	if err != nil {
		return "", false
	}
	return string(rest[:len(rest)-len(after)]), true
}

// Pool returns the anchors that can end a chain of any of the presented
// certificate sets: the anchors of the system bundle that issued one of the
// certificates (or are one of them, being self-issued), and every extra
// anchor. An anchor ends a chain only by issuing its last certificate, so
// this small pool verifies exactly as the whole bundle would.
//
// The certificate directories are left out: each of their files is a
// system call or three, more than the rest of a run, and on every common
// distribution they hold the bundle's certificates again. FullPool adds
// them, for a chain the bundle cannot verify.
func (t *Trust) Pool(presented ...[]*x509.Certificate) *x509.CertPool {
	pool, _ := t.LoadPool(false, presented...)
	return pool
}

// FullPool is Pool with the anchors of the certificate directories too,
// as Go itself reads them: SSL_CERT_DIR, /etc/ssl/certs, /etc/pki/tls/certs.
func (t *Trust) FullPool(presented ...[]*x509.Certificate) *x509.CertPool {
	pool, _ := t.LoadPool(true, presented...)
	return pool
}

// LoadPool is Pool (FullPool when dirs is set) that also says which part
// of the system store exists but could not be read: a *StoreError naming
// the path, for a verification message to give when no chain is found.
// The pool holds what could be read, and is never nil.
func (t *Trust) LoadPool(dirs bool, presented ...[]*x509.Certificate) (*x509.CertPool, error) {
	want := map[string]bool{}
	for _, certs := range presented {
		for _, c := range certs {
			want[string(c.RawIssuer)] = true
		}
	}
	pool := x509.NewCertPool()
	err := systemAnchors(pool, want, dirs)
	if t != nil {
		for _, c := range t.Extra {
			pool.AddCert(c)
		}
	}
	return pool, err
}
