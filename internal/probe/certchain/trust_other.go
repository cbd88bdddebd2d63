//go:build !linux

package certchain

import "crypto/x509"

// Pool returns the pool to verify with. Off Linux the platform verifier
// decides (a nil pool), with any extra anchors added to the system's.
func (t *Trust) Pool(presented ...[]*x509.Certificate) *x509.CertPool {
	pool, _ := t.LoadPool(false, presented...)
	return pool
}

// LoadPool is Pool, with the error the platform gave for its store when
// extra anchors had to be added to it.
func (t *Trust) LoadPool(dirs bool, presented ...[]*x509.Certificate) (*x509.CertPool, error) {
	if t == nil || len(t.Extra) == 0 {
		return nil, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, c := range t.Extra {
		pool.AddCert(c)
	}
	return pool, err
}

// FullPool is Pool: the platform verifier already sees every anchor.
func (t *Trust) FullPool(presented ...[]*x509.Certificate) *x509.CertPool {
	return t.Pool(presented...)
}
