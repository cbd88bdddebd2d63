package certchain

import "crypto/x509"

// Trust is where verification finds its anchors: the system's store plus
// Extra certificates (--ca-file, a private CA).
type Trust struct {
	Extra []*x509.Certificate
	// Damaged is the *ParseError of the file Extra was read from, when
	// some of its blocks could not be read: the anchors that could are
	// used, and the check reports the others.
	Damaged error
}

// ExtraPool holds the extra anchors alone.
func (t *Trust) ExtraPool() *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range t.Extra {
		pool.AddCert(c)
	}
	return pool
}

// StoreError says that a file or directory of the system trust store
// exists but could not be read: without it, a chain to a public CA looks
// like a chain to an unknown one.
//
// Damaged says that the file was read but a certificate in it could not
// be, one that may be the anchor a chain needs.
type StoreError struct {
	Path    string
	Err     error
	Damaged bool
}

func (e *StoreError) Error() string {
	if e.Damaged {
		return "the system trust store " + e.Path + ": " + e.Err.Error()
	}
	return "cannot read the system trust store " + e.Path + ": " + e.Err.Error()
}

func (e *StoreError) Unwrap() error { return e.Err }
