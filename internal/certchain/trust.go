package certchain

import "crypto/x509"

// Trust is where verification finds its anchors: the system's store plus
// Extra certificates (--ca-file, a private CA).
type Trust struct {
	Extra []*x509.Certificate
}

// ExtraPool holds the extra anchors alone.
func (t *Trust) ExtraPool() *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range t.Extra {
		pool.AddCert(c)
	}
	return pool
}
