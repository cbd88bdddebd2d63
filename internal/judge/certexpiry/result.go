package certexpiry

import (
	"crypto/x509"
	"net/netip"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/judge/expiry"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlstarget"
)

// PhaseVerify is the phase of a Result whose verification did not finish,
// PhaseRead of one whose certificate file could not be read in time.
const (
	PhaseVerify = "verify"
	PhaseRead   = "read"
)

// Result is one judged unit: an endpoint (at the address that answered,
// or at each address with AllAddresses), or one certificate file. It is
// the decision behind the check's message, as data: a metric plugin reads
// DaysLeft and Verified from it, the check renders it.
type Result struct {
	Target tlstarget.Target
	// Addr is the address talked to; zero for a file, and for an endpoint
	// whose name did not resolve or none of whose addresses answered.
	Addr netip.AddrPort
	// Path is the certificate file read, for file targets.
	Path string

	// Err is why nothing could be judged: a *inflight.Error for an endpoint
	// (dns, connect, starttls, tls, verify), a file's error, or
	// *goroutine.Unfinished wrapped in a *inflight.Error when time ran out. Phase
	// names the phase it happened in, when there is one.
	Err   error
	Phase string
	// HandshakeErr is why an endpoint's handshake failed after its
	// certificates arrived (a *inflight.Error; a *tlsprobe.RefusedError in
	// its chain when the server sent an alert). They are judged all the
	// same, and the endpoint is CRITICAL.
	HandshakeErr error
	// Refused is why clients refuse how the server signs its handshake
	// (SHA-1 in TLS 1.2), whatever the certificates' days.
	Refused *certchain.Refusal
	// Damaged is a file's blocks that could not be read as certificates
	// (a *certchain.ParseError), beside the certificates that could,
	// which are judged all the same.
	Damaged error

	// Status is the unit's verdict: the worst of its findings.
	Status check.Status

	// Presented are the certificates the endpoint sent (leaf first), or
	// those in the file.
	Presented []*x509.Certificate
	// Chain is the deciding chain: the verified chain that stays valid
	// longest, else the certificates as presented. Unused are presented
	// certificates not on it, which are not judged.
	Chain, Unused []certchain.Cert
	// Decider is the certificate of Chain that decides: the worst judged,
	// the earliest to expire among equals. Nil when Err is set.
	Decider *certchain.Cert
	// DaysLeft is Decider's validity left in days at the time judged,
	// negative once expired. Counted in seconds, so a certificate valid
	// to 9999 does not overflow.
	DaysLeft float64

	// Verified reports that verification ran and passed; VerifyErr is why
	// it failed (nil when it passed or was skipped with NoVerify).
	Verified  bool
	VerifyErr error

	// TLSVersion is the negotiated version (tls.VersionTLS13...).
	TLSVersion uint16
	Timings    Timings

	// Verdicts judge every certificate of Chain, worst first; JudgedAt is
	// the time they were judged at. Both are empty when Err is set.
	Verdicts []expiry.Verdict
	JudgedAt time.Time
}

// Timings are the durations of an endpoint's phases; zero when a phase
// did not run.
type Timings struct {
	DNS, Connect, StartTLS, Handshake, Verify time.Duration
}

// Label names the unit in alerts: the address connected to is shown when
// it is not already the host.
func (r *Result) Label() string {
	if r.Path != "" {
		return r.Path
	}
	l := r.Target.Label()
	if r.Addr.IsValid() && r.Addr.Addr().String() != r.Target.Host {
		l += " [" + r.Addr.Addr().String() + "]"
	}
	return l
}

// JudgedFailure reports whether the verification failure says only what
// the judgement of the chain already says, CRITICAL: a certificate that
// expired, or one signed in a way clients refuse.
func (r *Result) JudgedFailure() bool {
	if r.Verdicts[0].Status != check.CRITICAL {
		return false
	}
	return certchain.ExpiryFailure(r.VerifyErr, r.Chain) || certchain.RefusalFailure(r.VerifyErr, r.Chain)
}
