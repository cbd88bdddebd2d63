//go:build unix

package release

import (
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func init() {
	checks["mackerel-plugin-app"] = func(t *testing.T, bin string) {
		pki := testutil.NewPKI(t)
		ca := testutil.WriteFile(t, "ca.pem", fixture.PEM(pki.Root))
		addr := testutil.ServeChain(t, testutil.Leaf(t, pki, 21.5), pki.Intermediate)
		testutil.Run(t, bin, []string{"MACKEREL_AGENT_PLUGIN_META=", "MACKEREL_PLUGIN_WORKDIR=" + t.TempDir()}, "--tls", "www="+addr, "--ca-file", ca).
			Expect(t, 0, "app.tls_days.www\t21.", "app.tls_valid.www\t1\t")
	}
}
