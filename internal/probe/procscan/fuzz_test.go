package procscan

import (
	"strings"
	"testing"
)

// Whatever a proc file holds (a process names itself anything, up to 15
// bytes, parentheses and newlines included), parsing never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte("4121 (nginx) S 1 4121 4121 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 12345 100000 2048 0\n"))
	f.Add([]byte("77 (a b) (c)) R 2 0 0 0 -1 2097216 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 1\n"))
	f.Add([]byte("a\x00b\x00\x00"))
	f.Add([]byte("Uid:\t0\t0\t0\t0\nMax open files 1024 4096 files\nbtime 1\n0::/x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := parseStat(b); err == nil && strings.Contains(s.comm, "\x00") && !strings.Contains(string(b), "\x00") {
			t.Errorf("comm %q from nowhere", s.comm)
		}
		args, line := parseCmdline(append([]byte(nil), b...))
		if len(args) > 0 && strings.Join(args, " ") != line {
			t.Errorf("line %q is not the arguments %q joined", line, args)
		}
		parseUID(b)
		parseCgroup(b)
		parseNoFile(b)
		parseBootTime(b)
	})
}
