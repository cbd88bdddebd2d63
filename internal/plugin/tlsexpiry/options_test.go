package tlsexpiry

import (
	"slices"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/plugin/tlsexpiry/options"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/tlsprobe"
)

// --starttls is checked without the probe: the protocols the options
// accept are those the probe speaks.
func TestStartTLSProtocolsAreTheProbes(t *testing.T) {
	if got, want := options.StartTLSProtocols(), tlsprobe.StartTLSProtocols(); !slices.Equal(got, want) {
		t.Errorf("options accept --starttls %v, the probe speaks %v", got, want)
	}
	for _, p := range tlsprobe.StartTLSProtocols() {
		if err := options.CheckStartTLS(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if a, b := options.CheckStartTLS("smtpx"), tlsprobe.CheckStartTLS("smtpx"); a == nil || b == nil || a.Error() != b.Error() {
		t.Errorf("unknown protocol: options say %v, the probe %v", a, b)
	}
}
