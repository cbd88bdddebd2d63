// Package procgroup says which processes belong to a group: by command
// line, name, executable, pid file or systemd unit, narrowed by filters
// on user, command line, parent and state. A group asks the scanner for
// a process's files only when its cheaper facts left the answer open, so
// a name-only group never reads a command line.
package procgroup

import (
	"errors"
	"fmt"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/procscan"
)

// Kind is how a group selects its processes.
type Kind int

// The kinds of group, each with its flag.
const (
	Pattern Kind = iota // -p RE: the full command line matches
	Name                // -n NAME: comm, or for a longer NAME the base name of exe or argv[0]
	Exe                 // --exe PATH: the executable's path
	PIDFile             // --pidfile PATH: the PID the file holds
	Unit                // --systemd-unit UNIT: the unit's cgroup
)

// Flag is the kind's long or short flag.
func (k Kind) Flag() string {
	return [...]string{"-p", "-n", "--exe", "--pidfile", "--systemd-unit"}[k]
}

// CommLen is how much of a name the kernel keeps in comm.
const CommLen = 15

// Selector picks a group's processes.
type Selector struct {
	Kind  Kind
	Value string
	re    *pattern
	// resolved is an --exe PATH with its symlinks resolved, as
	// /proc/PID/exe shows it (only its folder's when PATH is gone);
	// empty when there is no link to resolve.
	resolved string
	// viaLink is set when PATH goes through a link, which a deploy may
	// move to another release while the process started through it runs.
	viaLink bool
	// Qualifier is the -p or -n a --pidfile's process must also match:
	// one that does not means the PID was reused (a stale pid file).
	Qualifier *Selector
}

// NewSelector checks and compiles a selector. Its errors start with the
// value ("'(' is not a regular expression: ..."): the caller puts the
// flag or the key that gave it in front, and an example in its own
// syntax after.
func NewSelector(kind Kind, value string) (*Selector, error) {
	s := &Selector{Kind: kind, Value: value}
	switch kind {
	case Pattern:
		if value == "" {
			return nil, fmt.Errorf("'' is empty: it would match every process; give a regular expression")
		}
		re, err := compilePattern(value)
		if err != nil {
			return nil, fmt.Errorf("%s is not a regular expression: %v", quote(value), strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		s.re = re
	case Name:
		if value == "" || strings.Contains(value, "/") {
			return nil, fmt.Errorf("%s is not a process name: give the name without a path", quote(value))
		}
	case Exe:
		if !filepath.IsAbs(value) {
			return nil, fmt.Errorf("%s is not an absolute path: write the executable's full path, as /proc/PID/exe shows it", quote(value))
		}
		s.Value = filepath.Clean(value)
		// /bin/sleep where /bin links to usr/bin, or a release folder's
		// "current" link: the kernel shows the file itself.
		r, err := filepath.EvalSymlinks(s.Value)
		if err != nil {
			// Gone: its folder may still be reached through a link.
			if d, err := filepath.EvalSymlinks(filepath.Dir(s.Value)); err == nil {
				r = filepath.Join(d, filepath.Base(s.Value))
			}
		}
		if r != s.Value {
			s.resolved = r
		}
		s.viaLink = r != s.Value
	case PIDFile:
		if value == "" {
			return nil, errors.New("needs a path")
		}
	case Unit:
		if value == "" || strings.Contains(value, "/") {
			return nil, fmt.Errorf("%s is not a unit name", quote(value))
		}
	default:
		return nil, fmt.Errorf("unknown selector kind %d", kind)
	}
	return s, nil
}

// Qualify makes q (a -p or -n) the selector s's pid file process must match.
func (s *Selector) Qualify(q *Selector) error {
	if s.Kind != PIDFile || q.Kind != Pattern && q.Kind != Name {
		return errors.New("only a pattern or a name can qualify a pid file")
	}
	s.Qualifier = q
	return nil
}

// String is the selector as a command line would give it:
// "-p 'sidekiq'", "-n nginx", "--pidfile /run/nginx.pid -n nginx".
func (s *Selector) String() string {
	v := quote(s.Value)
	if s.Kind == Pattern && v == s.Value {
		v = "'" + v + "'"
	}
	out := s.Kind.Flag() + " " + v
	if s.Qualifier != nil {
		out += " " + s.Qualifier.String()
	}
	return out
}

// quote puts a value in single quotes when a shell would need them.
func quote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._/-@:+=,", r))
	}) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// Filter narrows every group.
type Filter struct {
	// UID keeps processes of this effective user; -1 for any.
	UID int
	// Exclude drops processes whose command line matches any of these.
	Exclude []*regexp.Regexp
	// PPID keeps children of this process; 0 for any.
	PPID int
	// States keeps processes in one of these states ("D", "RS"); "" for
	// any. Zombies count only when it names Z.
	States string
}

// ParseExclude checks and compiles a regular expression of processes to
// leave out; its errors start with the value, as NewSelector's.
func ParseExclude(value string) (*regexp.Regexp, error) {
	if value == "" {
		return nil, fmt.Errorf("'' is empty: it would leave out every process; give a regular expression")
	}
	re, err := regexp.Compile(value)
	if err != nil {
		return nil, fmt.Errorf("%s is not a regular expression: %v", quote(value), strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

// AnyProcess is the filter that keeps every process.
var AnyProcess = &Filter{UID: -1}

// LookupUser returns the UID of a user name or number; its errors start
// with the value, as NewSelector's.
func LookupUser(s string) (int, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return int(n), nil
	}
	u, err := user.Lookup(s)
	if err != nil {
		return 0, fmt.Errorf("%s: no such user (give a user name from /etc/passwd or a UID)", quote(s))
	}
	n, err := strconv.Atoi(u.Uid)
	if err != nil {
		return 0, fmt.Errorf("%s: user has a non-numeric UID %q", quote(s), u.Uid)
	}
	return n, nil
}

// ParseStates checks process state letters (RS); its errors start with
// the value, as NewSelector's.
func ParseStates(s string) (string, error) {
	for _, r := range s {
		if !strings.ContainsRune("RSDZTtWXxKPI", r) {
			return "", fmt.Errorf("%s: %q is not a process state; use letters of R S D Z T t W X I", quote(s), r)
		}
	}
	return s, nil
}

// Group is one set of processes a check counts and judges.
type Group struct {
	Label  string
	Select *Selector
	Filter *Filter
	// Extra are the fields the caller needs of every member (FDs and
	// Limits for descriptor thresholds); they are read only for members.
	Extra procscan.Fields

	pid PIDFileResult
}

// Result of matching one process against a group.
type Result int

const (
	No      Result = iota // not a member
	Yes                   // a member
	Unknown               // a field needed to tell could not be read
)

// Match says whether p belongs to g, or which fields it needs to tell.
// A zombie that matches is Yes; Members puts it apart.
func (g *Group) Match(p *procscan.Process) (Result, procscan.Fields) {
	f := g.Filter
	if f == nil {
		f = AnyProcess
	}
	// Facts from stat first: the cheapest file, and the one most
	// groups need.
	if f.PPID != 0 || f.States != "" {
		if r, need := has(p, procscan.Stat); r != Yes {
			return r, need
		}
	}
	if f.PPID != 0 && p.PPID != f.PPID {
		return No, 0
	}
	if f.States != "" && !strings.ContainsRune(f.States, rune(p.State)) {
		return No, 0
	}
	r, need := g.Select.match(p, g.pid.PID)
	if r != Yes || need != 0 {
		return r, need
	}
	if p.RunsThisProgram() {
		return No, 0
	}
	if f.UID >= 0 {
		if r, need := has(p, procscan.Owner); r != Yes {
			return r, need
		}
		if p.UID != f.UID {
			return No, 0
		}
	}
	if len(f.Exclude) > 0 {
		if r, need := has(p, procscan.Cmdline); r != Yes {
			return r, need
		}
		line := matchText(p)
		for _, re := range f.Exclude {
			if re.MatchString(line) {
				return No, 0
			}
		}
	}
	if r, need := has(p, g.Extra); r == No {
		return Yes, need
	}
	return Yes, 0
}

// has says whether p has fields: Yes, No with the fields to read, or
// Unknown when one failed.
func has(p *procscan.Process, f procscan.Fields) (Result, procscan.Fields) {
	switch {
	case p.Failed&f != 0:
		return Unknown, 0
	case p.Have&f != f:
		return No, f &^ p.Have
	}
	return Yes, 0
}

// matchText is what -p and -x match: the command line, or comm for a
// process without one (a zombie, a kernel thread).
func matchText(p *procscan.Process) string {
	if p.Line == "" {
		return p.Comm
	}
	return p.Line
}

func (s *Selector) match(p *procscan.Process, pid int) (Result, procscan.Fields) {
	switch s.Kind {
	case Pattern:
		// The command line decides alone, unless it is empty: then
		// stat says whether the process is a kernel thread (never a
		// match) or a zombie (matched by its name).
		if r, need := has(p, procscan.Cmdline); r != Yes {
			return r, need
		}
		if p.Line == "" {
			if r, need := has(p, procscan.Stat); r != Yes {
				return r, need
			}
			if p.Kernel {
				return No, 0
			}
		}
		return yes(s.re.MatchString(matchText(p))), 0
	case Name:
		if r, need := has(p, procscan.Stat); r != Yes {
			return r, need
		}
		if len(s.Value) <= CommLen {
			return yes(p.Comm == s.Value), 0
		}
		if p.Comm != s.Value[:CommLen] {
			return No, 0
		}
		if p.Zombie() || p.Kernel {
			return Yes, 0 // nothing longer to compare
		}
		if r, need := has(p, procscan.Cmdline); r != Yes {
			return r, need
		}
		if len(p.Args) > 0 && filepath.Base(p.Args[0]) == s.Value {
			return Yes, 0
		}
		if r, need := has(p, procscan.Exe); r != Yes {
			return r, need
		}
		return yes(filepath.Base(p.ExePath) == s.Value), 0
	case Exe:
		if r, need := has(p, procscan.Exe); r != Yes {
			return r, need
		}
		if p.ExePath != "" {
			if p.ExePath == s.Value || s.resolved != "" && p.ExePath == s.resolved {
				return Yes, 0
			}
			// Resolved now, the link may name the next release while
			// the process started through it runs the one before: its
			// argv[0] still names PATH as given. The command line is
			// read only for an executable of the same name.
			if base := filepath.Base(p.ExePath); !s.viaLink || base != filepath.Base(s.Value) && base != filepath.Base(s.resolved) {
				return No, 0
			}
			if r, need := has(p, procscan.Cmdline); r != Yes {
				return r, need
			}
			return yes(len(p.Args) > 0 && filepath.Clean(p.Args[0]) == s.Value), 0
		}
		// No executable: a kernel thread, or a zombie, which has none
		// left and whose name must do.
		if r, need := has(p, procscan.Stat); r != Yes {
			return r, need
		}
		base := filepath.Base(s.Value)
		return yes(p.Zombie() && p.Comm == base[:min(len(base), CommLen)]), 0
	case PIDFile:
		if pid <= 0 || p.PID != pid {
			return No, 0
		}
		// Its start time tells a live pid file from a stale one.
		if r, need := has(p, procscan.Stat); r != Yes {
			return r, need
		}
		if s.Qualifier != nil {
			// The process at the PID that does not match is not the
			// service: the pid file is stale (see judgePIDFile).
			return s.Qualifier.match(p, 0)
		}
		return Yes, 0
	case Unit:
		// Kernel threads are in the root cgroup, never in a unit's.
		if r, need := has(p, procscan.Cgroup); r != Yes {
			return r, need
		}
		return yes(inUnit(p.Cgroups, s.Value)), 0
	}
	return No, 0
}

func yes(b bool) Result {
	if b {
		return Yes
	}
	return No
}

// inUnit reports whether a cgroup path lies in the unit's cgroup: one of
// its segments is UNIT, or UNIT.service when UNIT has no type suffix.
func inUnit(paths []string, unit string) bool {
	alt := ""
	if !strings.Contains(unit, ".") {
		alt = unit + ".service"
	}
	for _, path := range paths {
		for seg := range strings.SplitSeq(path, "/") {
			if seg == unit || alt != "" && seg == alt {
				return true
			}
		}
	}
	return false
}

// Set is the groups of one check, matched together in one scan.
type Set struct {
	Groups []*Group
	none   *memo
}

// NewSet makes a set of groups.
func NewSet(groups ...*Group) *Set {
	s := &Set{Groups: groups}
	s.none = &memo{set: s}
	return s
}

// memo is what Need decided of a process, kept in its Tag.
type memo struct {
	set *Set
	r   []Result // nil: a member of no group
}

// Need is the procscan.Need of the set: what to read of a process for
// every group to decide. Once they have, it keeps their decisions in the
// process's Tag, so that Members does not match again.
func (s *Set) Need(p *procscan.Process) procscan.Fields {
	var need procscan.Fields
	var r []Result
	for i, g := range s.Groups {
		res, n := g.Match(p)
		if n != 0 {
			need |= n
			continue
		}
		if res != No && need == 0 {
			if r == nil {
				r = make([]Result, len(s.Groups))
			}
			r[i] = res
		}
	}
	if need != 0 {
		return need
	}
	if r == nil {
		p.Tag = s.none
	} else {
		p.Tag = &memo{set: s, r: r}
	}
	return 0
}

// Members sorts a snapshot's processes into each group's, in the order
// of the groups.
func (s *Set) Members(snap *procscan.Snapshot) []Members {
	out := make([]Members, len(s.Groups))
	for i, g := range s.Groups {
		out[i] = g.members(snap, func(p *procscan.Process) Result {
			if m, ok := p.Tag.(*memo); ok && m.set == s {
				if m.r == nil {
					return No
				}
				return m.r[i]
			}
			return g.decide(p)
		})
	}
	return out
}

// Members are a group's processes in one snapshot.
type Members struct {
	// Live are the members that count, in PID order.
	Live []*procscan.Process
	// Zombies are the members that exited and wait to be reaped.
	Zombies []*procscan.Process
	// Unreadable are processes that may be members, but a file needed
	// to tell could not be read (another user's, without root).
	Unreadable []*procscan.Process
	// Unread are processes the scan gave up on.
	Unread []procscan.Unread
	// PIDFile is the pid file's verdict, for a --pidfile group.
	PIDFile *PIDFileResult
}

// Members sorts a snapshot's processes for g alone; Set.Members does it
// for several groups without matching again.
func (g *Group) Members(snap *procscan.Snapshot) Members {
	return g.members(snap, g.decide)
}

// decide is Match for a process the scan is done with: one that still
// lacks a file the group needs (its reads blocked) is Unknown.
func (g *Group) decide(p *procscan.Process) Result {
	r, need := g.Match(p)
	if r == No && need != 0 {
		return Unknown
	}
	return r
}

func (g *Group) members(snap *procscan.Snapshot, match func(*procscan.Process) Result) Members {
	var m Members
	countZombies := g.Filter != nil && strings.ContainsRune(g.Filter.States, 'Z')
	for _, p := range snap.Processes {
		switch r := match(p); {
		case r == Unknown:
			m.Unreadable = append(m.Unreadable, p)
		case r != Yes:
		case p.Zombie() && !countZombies:
			m.Zombies = append(m.Zombies, p)
		default:
			m.Live = append(m.Live, p)
		}
	}
	for _, u := range snap.Unread {
		// A process whose stat was read is in the snapshot too, and
		// what was read may have decided: it is this group's concern
		// only if that left the answer open.
		if snap.ByPID(u.PID) != nil && !slices.ContainsFunc(m.Unreadable, func(p *procscan.Process) bool { return p.PID == u.PID }) {
			continue
		}
		m.Unread = append(m.Unread, u)
	}
	if g.Select.Kind == PIDFile {
		r := g.pid
		m.PIDFile = &r
		m.Unread = nil
		for _, u := range snap.Unread {
			if u.PID == r.PID {
				m.Unread = append(m.Unread, u)
			}
		}
		judgePIDFile(m.PIDFile, g, snap, &m)
		if m.PIDFile.Problem != "" {
			// A reused PID is another program's: not the service.
			m.Live = nil
		}
	}
	return m
}

// PIDFileResult is what a --pidfile group found.
type PIDFileResult struct {
	Path  string
	PID   int
	MTime time.Time
	// Thread is what the file holds when that is the ID of a thread of
	// process PID rather than a process ID; 0 otherwise.
	Thread int
	// Problem says why the pid file fails the group, empty when it
	// names a live process that matches.
	Problem string
}

// threadGroup returns the process (thread group) that the thread id
// belongs to, from /proc/ID/status; 0 when it cannot tell.
func threadGroup(id int) int {
	b, err := localfile.Read("/proc/"+strconv.Itoa(id)+"/status", 64<<10)
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// MaxPIDFile bounds a pid file's size: it holds one number.
const MaxPIDFile = 4096

// ReadPIDFile reads a --pidfile group's file; call it before the scan,
// so that the scan knows the PID. A file that cannot be used is the
// group's Problem, not an error: a missing pid file is a finding.
func (g *Group) ReadPIDFile() {
	if g.Select.Kind != PIDFile {
		return
	}
	path := g.Select.Value
	g.pid = PIDFileResult{Path: path}
	b, err := localfile.Read(path, MaxPIDFile)
	switch {
	case err != nil && isNotExist(err):
		g.pid.Problem = "pid file " + path + " does not exist: the service is not running, or writes its pid file elsewhere"
		return
	case err != nil:
		g.pid.Problem = "cannot read pid file: " + err.Error()
		return
	}
	line := strings.TrimSpace(string(b))
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	pid, err := strconv.Atoi(line)
	if err != nil || pid <= 0 {
		shown := line
		if len(shown) > 40 {
			shown = shown[:40] + "…"
		}
		g.pid.Problem = fmt.Sprintf("pid file %s does not hold a PID (%q)", path, shown)
		return
	}
	g.pid.PID = pid
	// A thread's ID opens /proc/TID too, though /proc does not list it:
	// the service is its thread group, not a dead pid file.
	if tgid := threadGroup(pid); tgid > 0 && tgid != pid {
		g.pid.PID, g.pid.Thread = tgid, pid
	}
	if mt, err := modTime(path); err == nil {
		g.pid.MTime = mt
	}
}

// StaleAfter is how much later than a time a process's start may seem
// and still be before it: the start time is known to the second.
const StaleAfter = time.Second

// MaxClockStep is the wall-clock step a pid file's age tolerates. The
// start of a process is computed from the boot time, which follows the
// wall clock: a step after the service wrote its pid file (chrony's
// makestep at boot) moves the start by as much, and a healthy service
// would seem to have started after its own file. A reused PID is found
// within this much only by a -n or -p given with the pid file.
const MaxClockStep = 2 * time.Minute

func judgePIDFile(r *PIDFileResult, g *Group, snap *procscan.Snapshot, m *Members) {
	if r.Problem != "" || len(m.Unread) > 0 {
		return
	}
	p := snap.ByPID(r.PID)
	switch {
	case p == nil:
		r.Problem = fmt.Sprintf("pid %d from %s is not running (a dead pid file)", r.PID, r.Path)
		return
	case p.Zombie():
		r.Problem = fmt.Sprintf("pid %d from %s has exited (a zombie of parent %d)", r.PID, r.Path, p.PPID)
		return
	}
	q := g.Select.Qualifier
	// With a -n or -p, the name decides: the times are one clock step
	// away from a false alarm.
	if q == nil && !r.MTime.IsZero() && p.Start.Sub(r.MTime) > StaleAfter+MaxClockStep {
		r.Problem = fmt.Sprintf("pid %d from %s started %s after the file was written: a stale pid file, the PID was reused by %s",
			r.PID, r.Path, textfmt.Age(p.Start.Sub(r.MTime)), quote(p.Comm))
		return
	}
	if q != nil {
		switch res, need := q.match(p, 0); {
		case res == Unknown || need != 0:
			r.Problem = fmt.Sprintf("pid %d from %s could not be compared with %s: %v", r.PID, r.Path, q, p.Err)
		case res != Yes:
			// Its name, not its command line: that may carry
			// another program's secrets.
			r.Problem = fmt.Sprintf("pid %d from %s is %s, which does not match %s: a stale pid file, the PID was reused",
				r.PID, r.Path, quote(p.Comm), q)
		}
	}
}
