package main

import (
	"fmt"
	"os/exec"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/fixture"
	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// BenchmarkBinary runs the built binary as the agent does, against 1, 10
// and 50 loopback endpoints whose certificate expires in 10 days. The
// spec's target: 50 endpoints under 3x one. Max RSS is measured by
// scripts/bench.sh with GNU time: a child's rusage seen from here would
// include this test process's own memory from before the exec.
//
//	go test -run '^$' -bench Binary ./check-tls-expiry
func BenchmarkBinary(b *testing.B) {
	bin := testutil.Binary(b, "check-tls-expiry")
	pki := testutil.NewPKI(b)
	ca := testutil.WriteFile(b, "ca.pem", fixture.PEM(pki.Root))
	leaf := testutil.Leaf(b, pki, 10.5)
	var addrs []string
	for range 50 {
		addrs = append(addrs, testutil.ServeChain(b, leaf, pki.Intermediate))
	}
	for _, n := range []int{1, 10, 50} {
		args := []string{"--ca-file", ca}
		for _, a := range addrs[:n] {
			args = append(args, "-H", a)
		}
		b.Run(fmt.Sprintf("endpoints=%d", n), func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(bin, args...)
				if err := cmd.Run(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 {
					b.Fatalf("want CRITICAL (10 days left), got %v", err)
				}
			}
		})
	}
}
