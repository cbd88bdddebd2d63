package procscan

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// withIdle starts the fixture with n idle children for the benchmarks.
func withIdle(b *testing.B, n int) {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "fixture")
	if out, err := exec.Command("go", "build", "-o", bin, "../../dev/cmd/fixture").CombinedOutput(); err != nil {
		b.Fatalf("building the fixture: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-tls", "0", "-procs", strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if sc.Text() == "ready" {
			return
		}
	}
	b.Fatal("fixture not ready")
}

// BenchmarkScan reads every process of the host; with
// PROCSCAN_BENCH_IDLE=1, 2,000 idle processes more.
func BenchmarkScan(b *testing.B) {
	if os.Getenv("PROCSCAN_BENCH_IDLE") != "" {
		withIdle(b, 2000)
	}
	b.Run("stat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (&Scanner{}).Scan(context.Background(), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cmdline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (&Scanner{}).Scan(context.Background(), func(*Process) Fields { return Cmdline }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stat+cmdline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (&Scanner{}).Scan(context.Background(), func(*Process) Fields { return Stat | Cmdline }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("serial/stat+cmdline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (&Scanner{Workers: 1}).Scan(context.Background(), func(*Process) Fields { return Stat | Cmdline }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
