package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

// memoryOrTime matches a run ended by the memory cap or by its deadline.
const memoryOrTime = `(stopped at the memory cap of 64 MiB|still in progress after [0-9.]+s, past the 3s deadline)`

// rssCap is the memory a run may take whatever its input.
const rssCap = 256 << 20

// bounded checks that a run ended by its deadline and within the memory
// cap: what is asserted is that nothing ran on unbounded, however busy
// the machine.
func bounded(t *testing.T, r testutil.Result, timeout time.Duration) {
	t.Helper()
	r.ExpectEndedBy(t, timeout)
	if r.MaxRSS > rssCap {
		t.Errorf("took %d MiB, over %d MiB:\n%s", r.MaxRSS>>20, rssCap>>20, r)
	}
}

// TestMemoryBounded: inputs that ask for memory without end (a jq
// expression that doubles a string or flattens a tree of millions of
// leaves, a gzip body that inflates a thousandfold, brackets nested
// 50,000 deep, a scenario file of megabytes) end within the deadline and
// the memory cap, naming what was stopped.
func TestMemoryBounded(t *testing.T) {
	base := serve(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		// Doubling meets its cap in a few steps; the deadline is long, so
		// that a starved machine still meets the cap first. Without the
		// cap the run would meet the memory cap, which says otherwise.
		{"jq doubling a string", []string{"-u", base + "/json", "-t", "20", "--jq", `reduce range(40) as $i ("x"; . + .) | length > 0`}, 2,
			[]string{`HTTP CRITICAL: jq 'reduce range(40) as $i ("x"; . + .) | length > 0' failed: stopped: + or * made a string of 16777216 bytes, past the cap of 8388608`}},
		{"jq doubling an array", []string{"-u", base + "/json", "-t", "20", "--jq", `reduce range(40) as $i ([0]; . + .) | length > 0`}, 2,
			[]string{"HTTP CRITICAL: jq 'reduce range(40) as $i ([0]; . + .) | length > 0' failed: stopped: + or * made an array of 2097152 values, past the cap of 1048576"}},
		// What builds memory in many small steps meets the memory cap,
		// or on a machine too busy to build it in time, the deadline:
		// either way the run ends, naming the expression.
		{"jq flattening a tree", []string{"-u", base + "/json", "-t", "3", "--jq", `reduce range(26) as $i ([0]; [., .]) | flatten | length > 0`}, 2,
			[]string{"HTTP CRITICAL: ", "jq 'reduce range(26) as $i ([0]; [., .]) | flatten | length > 0' over " + base + "/json: ", memoryOrTime}},
		// Inflating 16 MiB and searching it is CPU work a starved machine
		// does slowly: the deadline is long, so that what ends the run is
		// the cap. Without the cap the inflated body meets the memory cap.
		{"gzip bomb, cut at the cap", []string{"-u", base + "/bomb", "-t", "20", "--max-body", strconv.Itoa(16 << 20), "--contains", "x"}, 2,
			[]string{"HTTP CRITICAL: body does not contain \"x\" (body cut at 16777216 bytes"}},
		{"gzip bomb, default cap", []string{"-u", base + "/bomb", "-t", "20", "--contains", "x"}, 2,
			[]string{"body cut at 1048576 bytes"}},
		// A secret known to the run (here an Authorization header) is
		// masked in what is quoted from the body: only the part quoted is
		// masked, or masking 16 MiB would meet the memory cap and lose
		// the failed assertion.
		{"a large page, a secret known", []string{"-u", base + "/bigpage", "-t", "20", "--max-body", strconv.Itoa(16 << 20), "-H", "Authorization: Bearer s3cr3t-token-value", "--contains", "Welcome"}, 2,
			[]string{"HTTP CRITICAL: body does not contain \"Welcome\" (body 3145"}},
		{"a match at the end of a large page, a secret known", []string{"-u", base + "/bigpage", "-t", "20", "--max-body", strconv.Itoa(16 << 20), "-H", "Authorization: Bearer s3cr3t-token-value", "--invert-pattern", "</body>"}, 2,
			[]string{"HTTP CRITICAL: body matches \"</body>\", expected not to (body 3145", "around it: \"…", "</body></html>\")"}},
		{"body cap over the limit", []string{"-u", base + "/bomb", "--max-body", "1000000000"}, 3,
			[]string{"HTTP UNKNOWN: --max-body 1000000000: give a number of bytes from 1 to 16777216"}},
		{"scenario of nested brackets", []string{"--scenario", testutil.WriteFile(t, "nested.yml", []byte("steps: "+strings.Repeat("[", 50000)+strings.Repeat("]", 50000)+"\n"))}, 3,
			[]string{"HTTP UNKNOWN: scenario ", "line 1: brackets nest more than 32 deep"}},
		{"scenario over the size cap", []string{"--scenario", testutil.WriteFile(t, "big.yml", []byte("steps:\n"+strings.Repeat("  - get: /ok\n", 30000)))}, 3,
			[]string{"HTTP UNKNOWN: scenario ", "is larger than 256 KiB"}},
		{"journey extraction", []string{"--scenario", journeyFile(t, base, "  - get: /json\n    extract: {v: {jq: 'reduce range(26) as $i ([0]; [., .]) | flatten'}}\n"), "-t", "3"}, 2,
			[]string{`HTTP CRITICAL: jq 'reduce range(26) as $i ([0]; [., .]) | flatten' over ` + base + "/json: ", memoryOrTime}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, tc.args...)
			var patterns []string
			for _, w := range tc.want {
				if w != memoryOrTime {
					w = regexp.QuoteMeta(w)
				}
				patterns = append(patterns, w)
			}
			r.ExpectMatch(t, tc.code, patterns...)
			bounded(t, r, 5*time.Second)
		})
	}
}
