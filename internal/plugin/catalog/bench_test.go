package catalog

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// bigCatalog is a catalog of services services, each with ten items of
// every kind and its metrics.
func bigCatalog(services int) []byte {
	var b strings.Builder
	b.WriteString("defaults: {check_interval: 1m, max_check_attempts: 3, timeout: 10s}\nservices:\n")
	for i := 0; i < services; i++ {
		fmt.Fprintf(&b, "  svc%03d:\n    owner: \"<!subteam^S%03d> team %d\"\n    runbook: https://wiki.example.com/runbooks/svc%03d\n    roles: [web, db]\n", i, i, i, i)
		b.WriteString("    tls:\n")
		for j := 0; j < 3; j++ {
			fmt.Fprintf(&b, "      - {name: cert%d, target: \"www%d.svc%03d.example.com:443\", warning: 30d, critical: 14d, roles: [web], action: \"renew with certbot, then reload nginx\"}\n", j, j, i)
		}
		b.WriteString("    http:\n")
		for j := 0; j < 4; j++ {
			fmt.Fprintf(&b, "      - {name: page%d, url: \"https://svc%03d.example.com/p%d\", expect: {status: 200, contains: ok}, critical: 5s, external: %v, roles: [web], action: \"check the load balancer\"}\n", j, i, j, j == 0)
		}
		b.WriteString("    process:\n")
		for j := 0; j < 3; j++ {
			fmt.Fprintf(&b, "      - {name: proc%d, select: {name: worker%d}, critical_under: 1, roles: [db], action: \"systemctl restart worker%d\"}\n", j, j, j)
		}
		b.WriteString("    metrics: {tls: [cert0], http: [page0], process: [proc0]}\n")
	}
	return []byte(b.String())
}

// BenchmarkCatalog is check and every generator over 200 services and
// 2,000 items; it reports the heap each run allocates in MiB.
func BenchmarkCatalog(b *testing.B) {
	data := bigCatalog(200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		c := Parse(Source{Name: "catalog.yaml", Data: data})
		if f := c.Check(); len(f) > 0 {
			b.Fatalf("findings: %v", f[0])
		}
		if n := len(c.Services[0].Items); n != 10 {
			b.Fatalf("%d items a service", n)
		}
		if _, err := c.Generate(Host{}); err != nil {
			b.Fatal(err)
		}
		c.Incident(c.Services[0], c.Services[0].Items[0], "", time.Time{})
		Schema()
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MiB/op")
}
