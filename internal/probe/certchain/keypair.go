package certchain

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/inflight"
	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
)

// LoadTrust reads extra anchors, for a private CA, from path.
// The anchors that parse still serve; damaged blocks ride along in
// Trust.Damaged, a finding of every endpoint's rather than a reason to
// judge none, also when no block could be read: damaged anchors are
// treated as damaged anchors in the system store are, and a chain they
// may have ended fails verification naming them. A file that holds no
// certificate block at all is an error. The read is recorded in ctx's
// inflight tracker: a file on a hung mount is named when the run has to
// end for it.
func LoadTrust(ctx context.Context, path string) (*Trust, error) {
	end := inflight.Begin(ctx, "reading --ca-file "+path, check.UNKNOWN)
	anchors, err := ReadFile(path)
	end()
	var damaged *ParseError
	if err != nil && !errors.As(err, &damaged) {
		return nil, err
	}
	return &Trust{Extra: anchors, Damaged: err}, nil
}

// LoadClientCert reads a client certificate and its key, for servers that
// require mTLS; nil when neither file is given. It is
// tls.LoadX509KeyPair through localfile: a FIFO or a device given by
// mistake is refused instead of blocking the run.
func LoadClientCert(ctx context.Context, certFile, keyFile string) (*tls.Certificate, error) {
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("a client certificate needs both the certificate file and the key file")
	}
	if certFile == "" {
		return nil, nil
	}
	end := inflight.Begin(ctx, "reading --cert-file "+certFile+" and --key-file "+keyFile, check.UNKNOWN)
	defer end()
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
