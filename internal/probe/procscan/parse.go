package procscan

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ClockTicks is the kernel's USER_HZ, the unit of stat's times. It is 100
// on every Linux architecture Go builds for (sysconf(_SC_CLK_TCK) needs
// cgo to ask, and would answer the same).
const ClockTicks = 100

// pfKthread is PF_KTHREAD in stat's flags field.
const pfKthread = 0x00200000

// stat is what the scanner keeps of /proc/PID/stat.
type stat struct {
	comm       string
	state      byte
	ppid       int
	flags      uint64
	cpuTicks   uint64
	threads    int
	startTicks uint64
	rssPages   uint64
}

var errStat = errors.New("malformed stat")

// parseStat reads /proc/PID/stat. The name sits in parentheses and may
// itself hold spaces and parentheses, so the fields start after the last
// ')'.
func parseStat(b []byte) (stat, error) {
	var s stat
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || end+2 >= len(b) {
		return s, errStat
	}
	s.comm = string(b[open+1 : end])
	rest := b[end+2:]
	// Fields after the name, counted from 0: 0 state, 1 ppid, 6 flags,
	// 11 utime, 12 stime, 17 num_threads, 19 starttime, 21 rss.
	var utime, stime uint64
	for i := 0; i <= 21; i++ {
		sp := bytes.IndexByte(rest, ' ')
		field := rest
		if sp >= 0 {
			field = rest[:sp]
		} else if i < 21 {
			return s, errStat
		}
		var err error
		switch i {
		case 0:
			if len(field) != 1 {
				return s, errStat
			}
			s.state = field[0]
		case 1:
			var v uint64
			v, err = atou(field)
			s.ppid = int(v)
		case 6:
			s.flags, err = atou(field)
		case 11:
			utime, err = atou(field)
		case 12:
			stime, err = atou(field)
		case 17:
			var v uint64
			v, err = atou(field)
			s.threads = int(v)
		case 19:
			s.startTicks, err = atou(field)
		case 21:
			// rss is signed in the kernel; never negative in practice.
			if len(field) > 0 && field[0] == '-' {
				field = nil
			}
			if field != nil {
				s.rssPages, err = atou(field)
			}
		}
		if err != nil {
			return s, errStat
		}
		if sp < 0 {
			break
		}
		rest = rest[sp+1:]
	}
	s.cpuTicks = utime + stime
	return s, nil
}

// atou parses a decimal without allocating.
func atou(b []byte) (uint64, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, errStat
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errStat
		}
		n := v*10 + uint64(c-'0')
		if n < v {
			return 0, errStat
		}
		v = n
	}
	return v, nil
}

// ticks converts clock ticks to a duration.
func ticks(n uint64) time.Duration {
	return time.Duration(n) * (time.Second / ClockTicks)
}

// parseCmdline splits /proc/PID/cmdline at its NULs and joins the
// arguments with spaces, in one allocation: each argument is a piece of
// the joined line. A process that rewrote its arguments (nginx: "nginx:
// master process ...") may leave one string with spaces, or trailing
// NULs: both are kept as written, less empty trailing strings. b is
// overwritten.
func parseCmdline(b []byte) (args []string, line string) {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil, ""
	}
	n := bytes.Count(b, []byte{0}) + 1
	ends := make([]int, 0, n)
	for i, c := range b {
		if c == 0 {
			ends = append(ends, i)
			b[i] = ' '
		}
	}
	ends = append(ends, len(b))
	line = string(b)
	args = make([]string, 0, n)
	start := 0
	for _, end := range ends {
		args = append(args, line[start:end])
		start = end + 1
	}
	return args, line
}

// parseUID finds the effective UID in /proc/PID/status: the second
// number of the Uid: line.
func parseUID(b []byte) (int, error) {
	i := bytes.Index(b, []byte("\nUid:"))
	if i < 0 {
		return 0, errors.New("no Uid line in status")
	}
	line := b[i+5:]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	f := bytes.Fields(line)
	if len(f) < 2 {
		return 0, errors.New("malformed Uid line in status")
	}
	v, err := atou(f[1])
	if err != nil || v > 1<<32-1 {
		return 0, errors.New("malformed Uid line in status")
	}
	return int(v), nil
}

// parseCgroup returns the paths of /proc/PID/cgroup's
// "ID:CONTROLLERS:PATH" lines of the hierarchies systemd places units
// in: the unified one (cgroup v2, or v1's hybrid "0::") and v1's
// name=systemd. A v1 controller's hierarchy (memory, cpu) holds groups
// named by whoever made them, a unit's name among them.
func parseCgroup(b []byte) []string {
	var paths []string
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		i := bytes.IndexByte(line, ':')
		if i < 0 {
			continue
		}
		j := bytes.IndexByte(line[i+1:], ':')
		if j < 0 {
			continue
		}
		if ctl := line[i+1 : i+1+j]; len(ctl) > 0 && string(ctl) != "name=systemd" {
			continue
		}
		paths = append(paths, string(line[i+1+j+1:]))
	}
	return paths
}

// parseNoFile returns the soft limit of the "Max open files" line of
// /proc/PID/limits; 0 when unlimited.
func parseNoFile(b []byte) (uint64, error) {
	i := bytes.Index(b, []byte("Max open files"))
	if i < 0 {
		return 0, errors.New("no \"Max open files\" line in limits")
	}
	line := b[i+len("Max open files"):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	f := bytes.Fields(line)
	if len(f) < 1 {
		return 0, errors.New("malformed \"Max open files\" line in limits")
	}
	if string(f[0]) == "unlimited" {
		return 0, nil
	}
	v, err := atou(f[0])
	if err != nil {
		return 0, fmt.Errorf("malformed \"Max open files\" line in limits: %q", f[0])
	}
	return v, nil
}

// parseBootTime finds the btime line of /proc/stat.
func parseBootTime(b []byte) (time.Time, error) {
	i := bytes.Index(b, []byte("\nbtime "))
	if i < 0 {
		return time.Time{}, errors.New("no btime line in /proc/stat")
	}
	line := b[i+7:]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("malformed btime line in /proc/stat: %q", line)
	}
	return time.Unix(v, 0), nil
}
