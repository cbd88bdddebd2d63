package certchain

import (
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
)

// ReadTrust reads extra anchors, for a private CA, from path.
// The anchors that parse still serve; damaged blocks ride along in
// Trust.Damaged, a finding of every endpoint's rather than a reason to
// judge none, also when no block could be read: damaged anchors are
// treated as damaged anchors in the system store are, and a chain they
// may have ended fails verification naming them. A file that holds no
// certificate block at all is an error. The caller records the read in
// its inflight tracker, under the flag or key that named the file.
func ReadTrust(path string) (*Trust, error) {
	anchors, err := ReadFile(path)
	var damaged *ParseError
	if err != nil && !errors.As(err, &damaged) {
		return nil, err
	}
	return &Trust{Extra: anchors, Damaged: err}, nil
}

// ReadClientCert reads a client certificate and its key, for servers that
// require mTLS; nil when neither file is given. It is
// tls.LoadX509KeyPair through localfile: a FIFO or a device given by
// mistake is refused instead of blocking the run. The caller records the
// read, as for ReadTrust.
func ReadClientCert(certFile, keyFile string) (*tls.Certificate, error) {
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("a client certificate needs both the certificate file and the key file")
	}
	if certFile == "" {
		return nil, nil
	}
	certPEM, err := localfile.Read(certFile, MaxFileSize)
	var keyPEM []byte
	if err == nil {
		keyPEM, err = localfile.Read(keyFile, MaxFileSize)
	}
	var cert tls.Certificate
	if err == nil {
		cert, err = tls.X509KeyPair(certPEM, keyPEM)
	}
	if err != nil {
		return nil, fmt.Errorf("client certificate %s / %s: %v", certFile, keyFile, err)
	}
	return &cert, nil
}
