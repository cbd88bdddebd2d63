package procgroup

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/procscan"
)

// proc is a process with every field read.
func proc(pid int, comm string, state byte, args ...string) *procscan.Process {
	return &procscan.Process{PID: pid, PPID: 1, Comm: comm, State: state, Args: args, Line: strings.Join(args, " "), UID: 1000,
		Have: procscan.Stat | procscan.Cmdline | procscan.Exe | procscan.Owner | procscan.Cgroup | procscan.FDs | procscan.Limits}
}

func group(t *testing.T, kind Kind, value string, f *Filter) *Group {
	t.Helper()
	s, err := NewSelector(kind, value)
	if err != nil {
		t.Fatal(err)
	}
	return &Group{Label: value, Select: s, Filter: f}
}

func TestMatch(t *testing.T) {
	kthread := proc(2, "kworker/0:1", 'I')
	kthread.Kernel = true
	zombie := proc(9, "sidekiq", 'Z')
	long := proc(10, "php-fpm-worker-", 'S', "/usr/sbin/php-fpm-worker-pool", "-F")
	renamed := proc(11, "php-fpm-worker-", 'S', "php-fpm: pool www")
	renamed.ExePath = "/usr/sbin/php-fpm-worker-pool"
	other := proc(12, "php-fpm-worker-", 'S', "php-fpm: pool www")
	other.ExePath = "/usr/sbin/php-fpm-worker-other"
	nginx := proc(20, "nginx", 'S', "nginx: master process /usr/sbin/nginx")
	nginx.ExePath = "/usr/sbin/nginx"
	nginx.Cgroups = []string{"/system.slice/nginx.service"}
	initProc := proc(1, "init", 'S', "/sbin/init")
	initProc.Cgroups = []string{"/"}
	v1 := proc(21, "nginx", 'S', "nginx: worker process")
	v1.Cgroups = []string{"/", "/system.slice/nginx.service", "/user.slice"}
	for _, tc := range []struct {
		name string
		g    *Group
		p    *procscan.Process
		want Result
	}{
		{"-p matches the command line", group(t, Pattern, "master process", nil), nginx, Yes},
		{"-p never matches a kernel thread", group(t, Pattern, "kworker", nil), kthread, No},
		{"-p matches a zombie by comm", group(t, Pattern, "^sidekiq$", nil), zombie, Yes},
		{"-n short", group(t, Name, "nginx", nil), nginx, Yes},
		{"-n short, other", group(t, Name, "ngin", nil), nginx, No},
		{"-n long by argv[0]", group(t, Name, "php-fpm-worker-pool", nil), long, Yes},
		{"-n long by exe", group(t, Name, "php-fpm-worker-pool", nil), renamed, Yes},
		{"-n long, other exe", group(t, Name, "php-fpm-worker-pool", nil), other, No},
		{"--exe", group(t, Exe, "/usr/sbin/nginx", nil), nginx, Yes},
		{"--exe, other", group(t, Exe, "/usr/bin/nginx", nil), nginx, No},
		{"unit v2", group(t, Unit, "nginx", nil), nginx, Yes},
		{"unit v2 with suffix", group(t, Unit, "nginx.service", nil), nginx, Yes},
		{"unit v1", group(t, Unit, "nginx", nil), v1, Yes},
		{"unit, other", group(t, Unit, "ngin", nil), v1, No},
		{"unit with suffix, root cgroup", group(t, Unit, "nginx.service", nil), initProc, No},
		{"-u keeps", group(t, Name, "nginx", &Filter{UID: 1000}), nginx, Yes},
		{"-u drops", group(t, Name, "nginx", &Filter{UID: 0}), nginx, No},
		{"-x drops", group(t, Name, "nginx", &Filter{UID: -1, Exclude: []*regexp.Regexp{regexp.MustCompile("master")}}), nginx, No},
		{"--ppid drops", group(t, Name, "nginx", &Filter{UID: -1, PPID: 20}), v1, No},
		{"--state keeps", group(t, Name, "nginx", &Filter{UID: -1, States: "SR"}), nginx, Yes},
		{"--state drops", group(t, Name, "nginx", &Filter{UID: -1, States: "D"}), nginx, No},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, need := tc.g.Match(tc.p); got != tc.want || need != 0 {
				t.Errorf("Match = %v (need %b), want %v", got, need, tc.want)
			}
		})
	}
}

// A group asks for a file only when the facts it has leave the answer
// open: a name group never reads a command line for a short name, nor
// for a long one whose first 15 bytes differ.
func TestMatchAsksOnlyForWhatItNeeds(t *testing.T) {
	bare := func(comm string) *procscan.Process {
		return &procscan.Process{PID: 5, Comm: comm, State: 'S', Have: procscan.Stat}
	}
	nothing := &procscan.Process{PID: 5}
	withLine := &procscan.Process{PID: 5, Line: "ruby worker.rb", Args: []string{"ruby", "worker.rb"}, Have: procscan.Cmdline}
	empty := &procscan.Process{PID: 5, Have: procscan.Cmdline}
	for _, tc := range []struct {
		name string
		g    *Group
		p    *procscan.Process
		need procscan.Fields
	}{
		{"-n short", group(t, Name, "nginx", nil), bare("nginx"), 0},
		{"-n long, other comm", group(t, Name, "php-fpm-worker-pool", nil), bare("bash"), 0},
		{"-n long, same comm", group(t, Name, "php-fpm-worker-pool", nil), bare("php-fpm-worker-"), procscan.Cmdline},
		{"-n then -u", group(t, Name, "nginx", &Filter{UID: 0}), bare("nginx"), procscan.Owner},
		{"-n, other, with -u", group(t, Name, "nginx", &Filter{UID: 0}), bare("bash"), 0},
		{"-p", group(t, Pattern, "x", nil), bare("bash"), procscan.Cmdline},
		{"-p reads no stat first", group(t, Pattern, "x", nil), nothing, procscan.Cmdline},
		{"-p decides on a command line alone", group(t, Pattern, "worker", nil), withLine, 0},
		{"-p needs stat for an empty command line", group(t, Pattern, "x", nil), empty, procscan.Stat},
		{"-n reads stat", group(t, Name, "nginx", nil), nothing, procscan.Stat},
		{"--ppid reads stat first", group(t, Pattern, "worker", &Filter{UID: -1, PPID: 1}), withLine, procscan.Stat},
		{"--exe", group(t, Exe, "/bin/x", nil), bare("bash"), procscan.Exe},
		{"unit", group(t, Unit, "x", nil), bare("bash"), procscan.Cgroup},
		{"extra for members only", &Group{Select: &Selector{Kind: Name, Value: "nginx"}, Extra: procscan.FDs}, bare("nginx"), procscan.FDs},
		{"no extra for others", &Group{Select: &Selector{Kind: Name, Value: "nginx"}, Extra: procscan.FDs}, bare("bash"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, need := tc.g.Match(tc.p); need != tc.need {
				t.Errorf("need %b, want %b", need, tc.need)
			}
		})
	}
}

func TestSelectorString(t *testing.T) {
	for _, tc := range []struct {
		kind  Kind
		value string
		want  string
	}{
		{Pattern, "sidekiq", "-p 'sidekiq'"},
		{Pattern, "sidekiq .* busy", `-p 'sidekiq .* busy'`},
		{Name, "nginx", "-n nginx"},
		{PIDFile, "/run/nginx.pid", "--pidfile /run/nginx.pid"},
		{Unit, "nginx", "--systemd-unit nginx"},
	} {
		s, err := NewSelector(tc.kind, tc.value)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.String(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
	for _, bad := range []struct {
		kind  Kind
		value string
	}{{Pattern, "("}, {Name, ""}, {Name, "/usr/bin/x"}, {Exe, "nginx"}, {Unit, "a/b"}, {PIDFile, ""}} {
		if _, err := NewSelector(bad.kind, bad.value); err == nil {
			t.Errorf("%s %q accepted", bad.kind.Flag(), bad.value)
		}
	}
}

func TestPIDFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mtime time.Time) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return path
	}
	now := time.Now()
	live := proc(100, "nginx", 'S', "nginx: master process")
	live.Start = now.Add(-time.Hour)
	zombie := proc(101, "nginx", 'Z')
	snap := &procscan.Snapshot{Processes: []*procscan.Process{live, zombie}}
	for _, tc := range []struct {
		name, path string
		qualify    *Selector
		live       int
		problem    string
	}{
		{"live", write("live.pid", "100\n", now.Add(-time.Hour)), nil, 1, ""},
		{"live, qualified", write("q.pid", "100\n", now.Add(-time.Hour)), &Selector{Kind: Name, Value: "nginx"}, 1, ""},
		{"missing", filepath.Join(dir, "none.pid"), nil, 0, "does not exist"},
		{"not a pid", write("junk.pid", "hello\n", now), nil, 0, `does not hold a PID ("hello")`},
		{"dead", write("dead.pid", "99999999\n", now), nil, 0, "pid 99999999 from " + dir + "/dead.pid is not running"},
		{"zombie", write("zombie.pid", "101", now), nil, 0, "has exited"},
		{"stale by time", write("old.pid", "100\n", now.Add(-2*time.Hour)), nil, 0, "started 1h after the file was written: a stale pid file"},
		{"stale by name", write("name.pid", "100\n", now.Add(-time.Hour)), &Selector{Kind: Name, Value: "apache2"}, 0, "which does not match -n apache2: a stale pid file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := NewSelector(PIDFile, tc.path)
			s.Qualifier = tc.qualify
			g := &Group{Select: s}
			g.ReadPIDFile()
			m := g.Members(snap)
			if len(m.Live) != tc.live || !strings.Contains(m.PIDFile.Problem, tc.problem) || (tc.problem == "") != (m.PIDFile.Problem == "") {
				t.Errorf("live %d, problem %q; want %d, %q", len(m.Live), m.PIDFile.Problem, tc.live, tc.problem)
			}
		})
	}
}

func TestMembersSetZombiesApart(t *testing.T) {
	snap := &procscan.Snapshot{Processes: []*procscan.Process{proc(1, "w", 'S', "w"), proc(2, "w", 'Z'), proc(3, "x", 'S', "x")}}
	m := group(t, Name, "w", nil).Members(snap)
	if len(m.Live) != 1 || len(m.Zombies) != 1 || m.Zombies[0].PID != 2 {
		t.Errorf("live %v zombies %v", m.Live, m.Zombies)
	}
	m = group(t, Name, "w", &Filter{UID: -1, States: "Z"}).Members(snap)
	if len(m.Live) != 1 || m.Live[0].PID != 2 {
		t.Errorf("--state Z: live %v", m.Live)
	}
}

// A set matches each process once: Members reads what Need decided.
func TestSetMatchesOnce(t *testing.T) {
	nginx := &procscan.Process{PID: 1, Comm: "nginx", State: 'S', Have: procscan.Stat}
	worker := &procscan.Process{PID: 2, Comm: "ruby", State: 'S', Have: procscan.Stat}
	other := &procscan.Process{PID: 3, Comm: "bash", State: 'S', Have: procscan.Stat}
	g1, g2 := group(t, Name, "nginx", nil), group(t, Pattern, "worker", nil)
	set := NewSet(g1, g2)
	for _, p := range []*procscan.Process{nginx, worker, other} {
		for range 3 {
			need := set.Need(p)
			if need == 0 {
				break
			}
			// What the scanner would do: read the field.
			p.Have |= need
			if p == worker {
				p.Args, p.Line = []string{"ruby", "worker.rb"}, "ruby worker.rb"
			}
		}
		if p.Tag == nil {
			t.Fatalf("pid %d: no decision kept", p.PID)
		}
	}
	// Decisions are taken from the tag: a process changed afterwards
	// keeps its membership.
	worker.Line = "changed"
	m := set.Members(&procscan.Snapshot{Processes: []*procscan.Process{nginx, worker, other}})
	if len(m[0].Live) != 1 || m[0].Live[0] != nginx || len(m[1].Live) != 1 || m[1].Live[0] != worker {
		t.Errorf("members %+v", m)
	}
	// Another set does not trust this one's tags.
	if m := NewSet(g2).Members(&procscan.Snapshot{Processes: []*procscan.Process{worker}}); len(m[0].Live) != 0 {
		t.Errorf("another set used the tag: %+v", m[0].Live)
	}
}
