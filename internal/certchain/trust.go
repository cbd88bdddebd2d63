package certchain

import "crypto/x509"

// Trust is where verification finds its anchors: the system's store plus
// Extra certificates (--ca-file, a private CA).
type Trust struct {
	Extra []*x509.Certificate
}
