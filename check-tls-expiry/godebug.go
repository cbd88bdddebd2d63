// The check reads certificates' dates; it never trusts a connection with
// anything secret. Where a GODEBUG setting lets Go read a certificate or
// finish a handshake it refuses by default, this binary sets it, so that a
// legacy server's certificate still shows how long it has left. The
// verifier still judges such a chain (a SHA-1 signature, say) as it would
// anywhere else.

// Certificates with a negative serial number (issued by old or buggy CAs)
// parse again.
//go:debug x509negativeserial=1

// RSA keys under 1024 bits (an RSA-512 leaf) may sign the handshake.
//go:debug rsa1024min=0

// TLS 1.2 servers that can only sign the handshake with SHA-1 are read.
//go:debug tlssha1=1

package main
