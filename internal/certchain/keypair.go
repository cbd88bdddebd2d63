package certchain

import (
	"crypto/tls"

	"github.com/frontline-sre/mackerel-frontline/internal/localfile"
)

// LoadKeyPair is tls.LoadX509KeyPair through localfile: a FIFO or a
// device given by mistake is refused instead of blocking the run.
func LoadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := localfile.Read(certFile, MaxFileSize)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := localfile.Read(keyFile, MaxFileSize)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}
