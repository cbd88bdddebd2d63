package procscan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/goroutine"
)

// Scanner reads processes from a proc file system.
type Scanner struct {
	// Root is where proc is mounted; "/proc" when empty.
	Root string
	// Workers bounds the reads in flight; DefaultWorkers when 0. A read
	// blocked behind a process in uninterruptible sleep holds its worker
	// until the scan gives up on it.
	Workers int
}

// DefaultWorkers is enough to keep two cores busy with reads that are
// mostly system-call time, and to leave the scan running past a few
// processes whose reads block.
const DefaultWorkers = 16

// maxFile bounds a file read: a command line can reach the kernel's
// ARG_MAX, and nothing this package keeps needs more. A longer command
// line is kept cut (Process.LineCut).
const maxFile = MaxCommandLine

var pageSize = uint64(os.Getpagesize())

// progress is what a worker is reading, for naming a process that the
// scan gives up on.
type progress struct {
	file  string
	since time.Time
	// proc is the process as it was when the read began: what the
	// snapshot keeps of it if the read never ends (the worker still
	// writes to its own copy).
	proc Process
}

// Scan reads every process once, and of each the fields need asks for;
// stat alone when need is nil.
// It returns when every process is read or, at the latest, shortly
// after ctx ends (goroutine.Grace): processes not read by then are listed in
// Unread, not waited for. The error is for a proc that cannot be read at
// all; one process's trouble is in that process (Failed, Err) or in
// Unread.
func (s *Scanner) Scan(ctx context.Context, need Need) (*Snapshot, error) {
	root := s.Root
	if root == "" {
		root = "/proc"
	}
	snap := &Snapshot{At: time.Now()}
	buf := getBuf()
	b, err := readFile(root+"/stat", *buf)
	if err == nil {
		snap.Boot, err = parseBootTime(b)
	}
	putBuf(buf, b)
	if err != nil {
		return nil, fmt.Errorf("reading %s/stat: %w", root, err)
	}
	pids, err := listPIDs(root)
	if err != nil {
		return nil, err
	}
	pids = deleteInts(pids, ancestry(root)...)

	workers := s.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	doing := make([]atomic.Pointer[progress], len(pids))
	var panicked atomic.Pointer[goroutine.PanicError]
	results := goroutine.Map(ctx, len(pids), workers,
		func(ctx context.Context, i int) any {
			r := reader{root: root, pid: pids[i], boot: snap.Boot, doing: &doing[i]}
			p := r.read(need)
			if p == nil {
				return nil
			}
			return p
		},
		func(i int, err error) any {
			var pe *goroutine.PanicError
			if errors.As(err, &pe) {
				panicked.CompareAndSwap(nil, pe)
				return nil
			}
			u := Unread{PID: pids[i]}
			d := doing[i].Load()
			if d == nil {
				return u
			}
			u.Comm, u.File, u.Since = d.proc.Comm, d.file, time.Since(d.since)
			if d.proc.Have&Stat == 0 {
				return u
			}
			// What was read still decides for the groups that need
			// nothing more: a name group counts a process whose
			// command line is blocked.
			p := d.proc
			p.Failed |= fieldOf(d.file)
			if p.Err == nil {
				p.Err = fmt.Errorf("reading /proc/%d/%s: blocked for %.1fs", u.PID, u.File, u.Since.Seconds())
			}
			return partial{p: &p, u: u}
		})
	if pe := panicked.Load(); pe != nil {
		panic(fmt.Sprintf("%v\n\n%s", pe.Value, pe.Stack))
	}
	snap.Processes = make([]*Process, 0, len(results))
	for _, r := range results {
		switch v := r.(type) {
		case *Process:
			snap.Processes = append(snap.Processes, v)
		case Unread:
			snap.Unread = append(snap.Unread, v)
		case partial:
			snap.Processes = append(snap.Processes, v.p)
			snap.Unread = append(snap.Unread, v.u)
		}
	}
	return snap, nil
}

// maxAncestry bounds the walk up the parent chain: a chain that long is
// a loop in a malformed tree, not a real one.
const maxAncestry = 1024

// ancestry is this process and its ancestors up to PID 1 included: the
// shell, timeout, sudo or flock that started the check and waits for it
// holds the check's arguments in its own command line, and the agent or
// container init above them is never the service either. The walk stops
// where a parent cannot be read (another PID namespace, a proc tree of a
// test's); the direct parent is left out even then.
func ancestry(root string) []int {
	out := []int{os.Getpid()}
	buf := getBuf()
	defer func() { putBuf(buf, nil) }()
	for pid := os.Getppid(); pid > 0 && len(out) < maxAncestry && !slices.Contains(out, pid); {
		out = append(out, pid)
		b, err := readFile(root+"/"+strconv.Itoa(pid)+"/stat", *buf)
		if err != nil {
			break
		}
		st, err := parseStat(b)
		*buf = b[:0]
		if err != nil {
			break
		}
		pid = st.ppid
	}
	return out
}

// partial is a process the scan gave up on after reading its stat.
type partial struct {
	p *Process
	u Unread
}

func fieldOf(file string) Fields {
	for _, ff := range fieldFiles {
		if ff.name == file {
			return ff.f
		}
	}
	return 0
}

func deleteInts(s []int, drop ...int) []int {
	out := s[:0]
	for _, v := range s {
		keep := true
		for _, d := range drop {
			if v == d {
				keep = false
			}
		}
		if keep {
			out = append(out, v)
		}
	}
	return out
}

// listPIDs returns the numeric entries of root in ascending order.
func listPIDs(root string) ([]int, error) {
	fd, err := openRetry(root, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", root, err)
	}
	defer syscall.Close(fd)
	buf := make([]byte, 32<<10)
	pids := make([]int, 0, 512)
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", root, err)
		}
		if n <= 0 {
			break
		}
		for b := buf[:n]; len(b) >= 19; {
			// struct linux_dirent64: ino u64, off s64, reclen u16,
			// type u8, name NUL-terminated.
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			pid := 0
			for _, c := range name {
				if c == 0 {
					break
				}
				if c < '0' || c > '9' {
					pid = -1
					break
				}
				pid = pid*10 + int(c-'0')
			}
			if pid > 0 {
				pids = append(pids, pid)
			}
			b = b[reclen:]
		}
	}
	// /proc lists in PID order; another tree may not.
	slices.Sort(pids)
	return pids, nil
}

// reader reads one process.
type reader struct {
	root  string
	pid   int
	boot  time.Time
	doing *atomic.Pointer[progress]
	dir   string
}

// read returns the process, or nil when it exited during the scan.
func (r *reader) read(need Need) *Process {
	r.dir = r.root + "/" + strconv.Itoa(r.pid) + "/"
	buf := getBuf()
	defer func() { putBuf(buf, nil) }()
	if need == nil {
		need = func(*Process) Fields { return Stat }
	}
	p := &Process{PID: r.pid}
	for range 8 { // more rounds than fields: a Need that keeps asking ends
		want := need(p) & allFields &^ (p.Have | p.Failed)
		if want == 0 {
			return p
		}
		for _, ff := range fieldFiles {
			if want&ff.f == 0 {
				continue
			}
			r.doing.Store(&progress{file: ff.name, since: time.Now(), proc: *p})
			err := r.readField(p, ff.f, buf)
			if err != nil && vanished(err) && ff.f != Stat && p.Have&Stat == 0 {
				// Kernel threads and zombies have no executable or
				// files: stat tells them from a process that exited.
				if r.readField(p, Stat, buf) == nil {
					p.Have |= Stat
					if p.Kernel || p.Zombie() {
						err = nil
					}
				}
			}
			switch {
			case err == nil:
				p.Have |= ff.f
			case vanished(err):
				return nil
			default:
				p.Failed |= ff.f
				if p.Err == nil {
					p.Err = fmt.Errorf("reading /proc/%d/%s: %w", r.pid, ff.name, err)
				}
			}
		}
	}
	return p
}

// vanished reports whether err means the process exited.
func vanished(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ESRCH)
}

func (r *reader) readField(p *Process, f Fields, buf *[]byte) error {
	// Zombies and kernel threads have no memory, executable or files of
	// their own: their files are empty or absent, and not a sign that
	// the process exited.
	hollow := p.Kernel || p.Zombie()
	switch f {
	case Stat:
		b, err := readFile(r.dir+"stat", *buf)
		if err != nil {
			return err
		}
		st, err := parseStat(b)
		*buf = b[:0]
		if err != nil {
			return err
		}
		p.PPID, p.Comm, p.State = st.ppid, st.comm, st.state
		p.Kernel = st.flags&pfKthread != 0
		p.StartTicks, p.Start = st.startTicks, r.boot.Add(ticks(st.startTicks))
		p.CPU, p.RSS, p.Threads = ticks(st.cpuTicks), st.rssPages*pageSize, st.threads
		return nil
	case Exe:
		if hollow {
			return nil
		}
		b := (*buf)[:cap(*buf)]
		n, err := syscall.Readlink(r.dir+"exe", b)
		if err != nil {
			return err
		}
		p.ExePath = strings.TrimSuffix(string(b[:n]), " (deleted)")
		return nil
	case FDs:
		n, err := countFDs(r.dir+"fd", *buf)
		if err != nil && !(hollow && vanished(err)) {
			return err
		}
		p.OpenFDs = n
		return nil
	}
	b, err := readFile(r.dir+f.File(), *buf)
	if err != nil {
		return err
	}
	defer func() { *buf = b[:0] }()
	switch f {
	case Cmdline:
		p.Args, p.Line = parseCmdline(b)
		p.LineCut = len(b) >= maxFile
	case Owner:
		p.UID, err = parseUID(b)
	case Cgroup:
		p.Cgroups = parseCgroup(b)
	case Limits:
		p.FDLimit, err = parseNoFile(b)
	}
	return err
}

var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBuf() *[]byte { return bufs.Get().(*[]byte) }

// putBuf returns a buffer to the pool, keeping a grown one unless it
// grew past what most files need.
func putBuf(buf *[]byte, grown []byte) {
	if grown != nil && cap(grown) <= 64<<10 {
		*buf = grown[:0]
	}
	bufs.Put(buf)
}

func openRetry(path string, mode int) (int, error) {
	for {
		fd, err := syscall.Open(path, mode, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// readFile reads a whole file into buf, growing it up to maxFile, with
// three system calls for a small file: proc files have no size to stat.
func readFile(path string, buf []byte) ([]byte, error) {
	fd, err := openRetry(path, syscall.O_RDONLY|syscall.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	buf = buf[:0]
	for {
		if len(buf) >= maxFile {
			return buf, nil
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):min(cap(buf), maxFile)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// countFDs counts the open descriptors listed in a /proc/PID/fd folder.
// Since Linux 6.2 the folder's size is that count: one stat instead of
// opening and reading the folder, which for a few thousand processes is
// most of a scan's time. A size of 0 (an older kernel, or a process with
// no descriptors) is read the long way.
func countFDs(path string, buf []byte) (int, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Stat(path, &st)
		if err == syscall.EINTR {
			continue
		}
		if err == nil && st.Size > 0 {
			return int(st.Size), nil
		}
		break
	}
	return countDir(path, buf)
}

// countDir counts the entries of a directory other than . and ..
func countDir(path string, buf []byte) (int, error) {
	fd, err := openRetry(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	buf = buf[:cap(buf)]
	count := 0
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n <= 0 {
			return count, nil
		}
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			if !(name[0] == '.' && (name[1] == 0 || name[1] == '.' && name[2] == 0)) {
				count++
			}
			b = b[reclen:]
		}
	}
}
