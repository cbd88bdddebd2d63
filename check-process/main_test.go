//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/dev/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func run(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, testutil.Binary(t, "check-process"), nil, args...)
}

func start(t *testing.T, prefix string, args ...string) *testutil.Process {
	t.Helper()
	return testutil.StartProcess(t, testutil.UniqueName(prefix), args...)
}

func name(p *testutil.Process) string { return filepath.Base(p.Path) }

func TestGroupKinds(t *testing.T) {
	p := start(t, "cpk-", "--", "queue=kinds-"+strconv.Itoa(os.Getpid()))
	long := testutil.StartProcess(t, testutil.UniqueName("cpk-long-name-over-15-"))
	// A process whose argv[0] is longer than its executable's name: a
	// long -n may name either.
	renamed := testutil.StartProcessAs(t, long.Path, long.Path+"-v2")
	n := name(p)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"-n", []string{"-n", n}, 0, []string{"PROCESS OK: 1 group: " + n + " 1 process\n"}},
		{"-n missing", []string{"-n", n + "x"}, 2, []string{"PROCESS CRITICAL: " + n + "x (-n " + n + "x): 0 processes, expected at least 1"}},
		{"-n longer than comm", []string{"-n", name(long)}, 0, []string{"PROCESS OK: 1 group: " + name(long) + " 2 processes"}}, // both run its executable
		{"-n longer, argv[0]", []string{"-n", name(long) + "-v2", "-v"}, 0, []string{"; pids " + strconv.Itoa(renamed.PID) + ")"}},
		{"-n longer, other tail", []string{"-n", name(long)[:15] + "zzzzz"}, 2, []string{"0 processes, expected at least 1"}},
		{"-p", []string{"-p", "queue=kinds-" + strconv.Itoa(os.Getpid())}, 0, []string{"PROCESS OK: 1 group: queue=kinds-"}},
		{"-p missing", []string{"-p", "queue=nothing-" + n}, 2, []string{"PROCESS CRITICAL: queue=nothing-" + n + " (-p 'queue=nothing-" + n + "'): 0 processes, expected at least 1"}},
		{"--exe", []string{"--exe", p.Path}, 0, []string{"PROCESS OK: 1 group: " + p.Path + " 1 process"}},
		{"--exe other", []string{"--exe", p.Path + "x"}, 2, []string{"0 processes"}},
		{"--label", []string{"-n", n, "--label", "app-worker"}, 0, []string{"PROCESS OK: 1 group: app-worker 1 process"}},
		{"--label on failure", []string{"-n", n + "x", "--label", "app-worker"}, 2, []string{"PROCESS CRITICAL: app-worker (-n " + n + "x): 0 processes, expected at least 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, tc.args...).Expect(t, tc.code, tc.want...)
		})
	}
}

// Peer defect 1: several groups, one missing, is CRITICAL whichever
// order they come in.
func TestTwoGroupsOneMissing(t *testing.T) {
	p := start(t, "cpt-")
	missing := "cpt-none-" + strconv.Itoa(os.Getpid())
	for _, args := range [][]string{{"-n", name(p), "-p", missing}, {"-p", missing, "-n", name(p)}} {
		first := run(t, args...).Expect(t, 2, "OK: 1 more group")
		if want := "PROCESS CRITICAL: " + missing + " (-p '" + missing + "'): 0 processes, expected at least 1"; first != want {
			t.Errorf("%v: %q, want %q", args, first, want)
		}
	}
	run(t, "-n", name(p), "--label", "web", "-p", name(p), "--label", "worker").Expect(t, 0, "PROCESS OK: 2 groups: web 1 process, worker 1 process\n")
}

func TestVerboseListsPIDs(t *testing.T) {
	a := start(t, "cpv-")
	b := testutil.StartProcessAt(t, a.Path)
	out := run(t, "-n", name(a)).Expect(t, 0)
	if strings.Contains(out, strconv.Itoa(a.PID)) {
		t.Errorf("OK text has a PID: %q", out)
	}
	res := run(t, "-n", name(a), "-v")
	res.Expect(t, 0, "PROCESS OK: 1 group: "+name(a)+" 2 processes\nOK: "+name(a)+" 2 processes (-n "+name(a)+"; pids ")
	for _, pid := range []int{a.PID, b.PID} {
		if !strings.Contains(res.Stdout, strconv.Itoa(pid)) {
			t.Errorf("-v does not list pid %d: %s", pid, res.Stdout)
		}
	}
}

func TestCountThresholds(t *testing.T) {
	a := start(t, "cpc-")
	testutil.StartProcessAt(t, a.Path)
	n := name(a)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 0, "2 processes"},
		{[]string{"-w", "1"}, 1, "PROCESS WARNING: " + n + " (-n " + n + "): 2 processes, expected at most 1"},
		{[]string{"-c", "1"}, 2, "PROCESS CRITICAL: " + n + " (-n " + n + "): 2 processes, expected at most 1"},
		{[]string{"-w", "2", "-c", "3"}, 0, "PROCESS OK"},
		{[]string{"-W", "3"}, 1, "PROCESS WARNING: " + n + " (-n " + n + "): 2 processes, expected at least 3"},
		{[]string{"-C", "3"}, 2, "PROCESS CRITICAL: " + n + " (-n " + n + "): 2 processes, expected at least 3"},
		{[]string{"-W", "2", "-C", "1"}, 0, "PROCESS OK"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			run(t, append([]string{"-n", n}, tc.args...)...).Expect(t, tc.code, tc.want)
		})
	}
	// As with Mackerel's check-procs, whose -W is 1 by default, -C 0
	// makes none running a WARNING; -W 0 -C 0 allows it.
	run(t, "-n", n+"x", "-C", "0").Expect(t, 1, "PROCESS WARNING: "+n+"x (-n "+n+"x): 0 processes, expected at least 1")
	run(t, "-n", n+"x", "-W", "0", "-C", "0").Expect(t, 0, "PROCESS OK: 1 group: "+n+"x 0 processes")
	run(t, "-n", n, "-C", "3").Expect(t, 2, "2 processes, expected at least 3")
	run(t, "-n", n, "-c", "0", "-W", "0", "-C", "0").Expect(t, 2, "2 processes, expected at most 0")
	// check-procs' "WARNING when it runs at all": -w 0 beside the default -C 1.
	run(t, "-n", n, "-w", "0").Expect(t, 1, "2 processes, expected at most 0")
}

// Thresholds of one group: "exactly one master and at least one worker"
// in one check, as nginx runs. The master's --count does not judge the
// workers, which keep the count flags (here the default -C 1).
func TestCountPerGroup(t *testing.T) {
	tag := strconv.Itoa(os.Getpid())
	master := start(t, "cpg-", "--", "master-"+tag)
	for range 2 {
		testutil.StartProcessAt(t, master.Path, "--", "worker-"+tag)
	}
	args := []string{"-p", "master-" + tag, "--label", "master", "--count", "1", "-p", "worker-" + tag, "--label", "workers"}
	run(t, args...).Expect(t, 0, "PROCESS OK: 2 groups: master 1 process, workers 2 processes")
	run(t, append(args, "--count", "1..")...).Expect(t, 0, "PROCESS OK: 2 groups: master 1 process, workers 2 processes")
	run(t, append(args, "--count", "3..5")...).Expect(t, 2, "PROCESS CRITICAL: workers (-p 'worker-"+tag+"'): 2 processes, expected at least 3\nOK: 1 more group")
	second := testutil.StartProcessAt(t, master.Path, "--", "master-"+tag)
	run(t, args...).Expect(t, 2, "PROCESS CRITICAL: master (-p 'master-"+tag+"'): 2 processes, expected at most 1\nOK: 1 more group")
	second.Stop()
	master.Stop()
	run(t, args...).Expect(t, 2, "PROCESS CRITICAL: master (-p 'master-"+tag+"'): 0 processes, expected at least 1\nOK: 1 more group")
	// Beside the group's own, -c still judges every other group.
	run(t, append(args, "-c", "1")...).Expect(t, 2, "workers (-p 'worker-"+tag+"'): 2 processes, expected at most 1")
	run(t, "--help").Expect(t, 0, "--count=RANGE", "--count 1")
}

func TestFilters(t *testing.T) {
	p := start(t, "cpf-", "--", "mode=filters")
	n := name(p)
	uid := strconv.Itoa(os.Geteuid())
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"-u uid", []string{"-u", uid}, 0},
		{"-u other", []string{"-u", "4294000000"}, 2},
		{"-x other", []string{"-x", "mode=other"}, 0},
		{"-x drops", []string{"-x", "nothing", "-x", "mode=filt"}, 2},
		{"--ppid parent", []string{"--ppid", strconv.Itoa(os.Getpid())}, 0},
		{"--ppid other", []string{"--ppid", "1"}, 2},
		{"--state S", []string{"--state", "SR"}, 0},
		{"--state D", []string{"--state", "D"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, append([]string{"-n", n}, tc.args...)...).Expect(t, tc.code)
		})
	}
	if u, err := exec.Command("id", "-un").Output(); err == nil {
		run(t, "-n", n, "-u", strings.TrimSpace(string(u))).Expect(t, 0)
	}
}

// The check never counts itself or its parent: a shell that runs it has
// the pattern in its own command line.
func TestNeverCountsItselfOrItsParent(t *testing.T) {
	pattern := "cps-self-" + strconv.Itoa(os.Getpid())
	cmd := exec.Command("/bin/sh", "-c", testutil.Binary(t, "check-process")+" -p '"+pattern+"' -v; exit $?")
	out, err := cmd.Output()
	code := 0
	if e, ok := err.(*exec.ExitError); ok {
		code = e.ExitCode()
	}
	if code != 2 || !strings.Contains(string(out), "0 processes, expected at least 1") {
		t.Errorf("exit %d: %s", code, out)
	}
}

// Nor any ancestor: a shell that forks for its command (dash does not
// exec the last command of a string with more after it), timeout, sudo
// or flock each hold the pattern in their command line while they wait.
func TestNeverCountsItsAncestors(t *testing.T) {
	bin := testutil.Binary(t, "check-process")
	pattern := "cps-anc-" + strconv.Itoa(os.Getpid())
	for _, script := range []string{
		"timeout 20 " + bin + " -p '" + pattern + "' -v; exit $?",
		"/bin/sh -c \"timeout 20 " + bin + " -p '" + pattern + "' -v; exit \\$?\"; exit $?",
	} {
		testutil.Run(t, "/bin/sh", nil, "-c", script).Expect(t, 2, "PROCESS CRITICAL: "+pattern+" (-p '"+pattern+"'): 0 processes, expected at least 1")
	}
}

// A process that is not an ancestor but whose command line runs the check
// (another check of the same minute, through a shell) is not the service.
func TestNeverCountsAnotherRunOfTheCheck(t *testing.T) {
	bin := testutil.Binary(t, "check-process")
	pattern := "cps-other-" + strconv.Itoa(os.Getpid())
	testutil.RunProgram(t, "/bin/sh", "-c", "sleep 120; "+bin+" -p '"+pattern+"'")
	// Start returns once the shell runs, its command line in place.
	run(t, "-p", pattern).Expect(t, 2, "0 processes, expected at least 1")
}

func TestKernelThreadsNeverMatchPattern(t *testing.T) {
	stat, err := os.ReadFile("/proc/2/stat")
	if err != nil || !strings.HasPrefix(string(stat), "2 (kthreadd)") {
		t.Skip("kthreadd not visible here (a PID namespace)")
	}
	run(t, "-p", "^kthreadd$").Expect(t, 2, "0 processes")
	run(t, "-n", "kthreadd").Expect(t, 0, "kthreadd 1 process")
}

func TestSystemdUnit(t *testing.T) {
	p := start(t, "cpu-")
	unit := unitOf(t, p)
	run(t, "--systemd-unit", unit, "-v").Expect(t, 0, "; pids "+strconv.Itoa(p.PID)+")")
	if !strings.Contains(unit, ".") {
		run(t, "--systemd-unit", unit+".service", "-v").Expect(t, 0, "; pids "+strconv.Itoa(p.PID)+")")
	}
}

// placeInCgroup moves p into a new cgroup named name under the hierarchy
// root, and reports whether it could (it needs root and a mounted
// hierarchy). The cgroup goes, with p stopped first, when the test ends.
func placeInCgroup(t *testing.T, p *testutil.Process, root, name string) bool {
	t.Helper()
	if _, err := os.Stat(filepath.Join(root, "cgroup.procs")); err != nil {
		return false
	}
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return false
	}
	t.Cleanup(func() {
		p.Stop()
		os.Remove(dir)
	})
	return os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(p.PID)), 0o644) == nil
}

// unitOf puts p in a unit of its own: a cgroup named UNIT.service made
// in a hierarchy systemd would use (v2, or v1's name=systemd), which
// needs root. Without root, p's own unit or scope will do, if the tests
// run in one.
func unitOf(t *testing.T, p *testutil.Process) string {
	t.Helper()
	unit := testutil.UniqueName("cpunit-")
	for _, h := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd"} {
		if placeInCgroup(t, p, h, unit+".service") {
			return unit
		}
	}
	cg, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(cg)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && (parts[1] == "" || parts[1] == "name=systemd") {
			unit = filepath.Base(parts[2])
		}
	}
	if unit == "" || unit == "/" || unit == "." || strings.HasPrefix(unit, "cpunit-") {
		t.Skipf("the tests run in the root cgroup (%q) and cannot make one (not root?): no unit to find", cg)
	}
	return unit
}

func TestPIDFile(t *testing.T) {
	p := start(t, "cpp-")
	n := name(p)
	dir := t.TempDir()
	write := func(file, content string, mtime time.Time) string {
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		testutil.SetModTime(t, path, mtime)
		return path
	}
	started := time.Now() // p started a moment ago: a file of now is fresh
	live := write("live.pid", strconv.Itoa(p.PID)+"\n", started.Add(time.Second))
	fifo := filepath.Join(dir, "fifo.pid")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"live", []string{"--pidfile", live}, 0, "PROCESS OK: 1 group: " + live + " 1 process"},
		{"live, qualified", []string{"--pidfile", live, "-n", n}, 0, "PROCESS OK: 1 group: " + live + " 1 process"},
		{"missing", []string{"--pidfile", dir + "/none.pid"}, 2, "PROCESS CRITICAL: " + dir + "/none.pid (--pidfile " + dir + "/none.pid): pid file " + dir + "/none.pid does not exist"},
		{"unreadable", []string{"--pidfile", fifo}, 2, "(--pidfile " + fifo + "): cannot read pid file: "},
		{"not a pid", []string{"--pidfile", write("junk.pid", "running\n", started)}, 2, `does not hold a PID ("running")`},
		{"dead", []string{"--pidfile", write("dead.pid", "999999999\n", started)}, 2, "pid 999999999 from " + dir + "/dead.pid is not running (a dead pid file)"},
		{"stale by time", []string{"--pidfile", write("old.pid", strconv.Itoa(p.PID), started.Add(-time.Hour))}, 2, "after the file was written: a stale pid file, the PID was reused by " + n},
		{"stale by name", []string{"--pidfile", live, "-n", "nginx"}, 2, "which does not match -n nginx: a stale pid file"},
		{"stale by pattern", []string{"--pidfile", live, "-p", "^/usr/sbin/nginx"}, 2, "which does not match -p '^/usr/sbin/nginx': a stale pid file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, tc.args...).Expect(t, tc.code, tc.want)
		})
	}
}

func TestZombies(t *testing.T) {
	p := start(t, "cpz-", "-zombie")
	n := name(p)
	waitZombie(t, p.Zombie)
	// The zombie never counts: one live process.
	run(t, "-n", n, "-v").Expect(t, 0, n+" 1 process")
	run(t, "-n", n, "-c", "1").Expect(t, 0)
	want := "PROCESS WARNING: " + n + " (-n " + n + "): 1 zombie: pid " + strconv.Itoa(p.Zombie) + " (parent " + strconv.Itoa(p.PID) + ")"
	run(t, "-n", n, "--zombies").Expect(t, 1, want)
	run(t, "-p", n, "--zombies").Expect(t, 1, "1 zombie: pid "+strconv.Itoa(p.Zombie))
	// With its parent gone from the group, the zombie alone is none.
	run(t, "-n", n, "--ppid", strconv.Itoa(p.PID)).Expect(t, 2, "0 processes, expected at least 1")
	run(t, "-n", n, "--state", "Z", "-v").Expect(t, 0, strconv.Itoa(p.Zombie))
}

func waitZombie(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if i := strings.LastIndexByte(string(b), ')'); i > 0 && len(b) > i+2 && b[i+2] == 'Z' {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("pid %d never became a zombie", pid)
}

func TestResourceThresholds(t *testing.T) {
	big := start(t, "cpr-", "-rss", "64", "-threads", "12", "-fds", "200", "-nofile", "256")
	n := name(big)
	pid := strconv.Itoa(big.PID)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"rss passes", []string{"--rss-warning", "1G", "--rss-critical", "2G"}, 0, "PROCESS OK"},
		{"rss warning", []string{"--rss-warning", "32MiB", "--rss-critical", "1G"}, 1, "PROCESS WARNING: " + n + " (-n " + n + "): pid " + pid + " rss "},
		{"rss critical", []string{"--rss-warning", "16M", "--rss-critical", "32MiB"}, 2, "> 32MiB"},
		{"threads passes", []string{"--threads-warning", "100"}, 0, "PROCESS OK"},
		{"threads warning", []string{"--threads-warning", "10"}, 1, "pid " + pid + " threads "},
		{"threads critical", []string{"--threads-warning", "5", "--threads-critical", "10"}, 2, "> 10"},
		{"fd passes", []string{"--fd-warning", "95"}, 0, "PROCESS OK"},
		{"fd warning", []string{"--fd-warning", "50"}, 1, "pid " + pid + " fds "},
		{"fd critical", []string{"--fd-warning", "50", "--fd-critical", "70"}, 2, "of soft limit 256 ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, append([]string{"-n", n}, tc.args...)...).Expect(t, tc.code, tc.want)
		})
	}
}

func TestCPU(t *testing.T) {
	busy := start(t, "cpb-", "-cpu")
	idle := start(t, "cpi-")
	// Low thresholds: a busy loop gets a small share of a loaded machine.
	run(t, "-n", name(busy), "--cpu-warning", "2", "--cpu-sample", "1s").Expect(t, 1, "PROCESS WARNING: "+name(busy)+" (-n "+name(busy)+"): pid "+strconv.Itoa(busy.PID)+" cpu ", "> 2% (over 1s)")
	run(t, "-n", name(busy), "--cpu-warning", "1", "--cpu-critical", "2", "--cpu-sample", "0.5s").Expect(t, 2, "> 2% (over 500ms)")
	run(t, "-n", name(idle), "--cpu-warning", "50", "--cpu-sample", "0.5s").Expect(t, 0, "PROCESS OK")
}

func TestMinAge(t *testing.T) {
	p := start(t, "cpa-")
	res := run(t, "-n", name(p), "--min-age", "1h")
	res.Expect(t, 1, "PROCESS WARNING: "+name(p)+" (-n "+name(p)+"): restarted ", "s ago (pid "+strconv.Itoa(p.PID)+"), --min-age 1h")
	time.Sleep(2500 * time.Millisecond)
	run(t, "-n", name(p), "--min-age", "1s").Expect(t, 0)
}

// A process that dies and is started again while the check samples CPU
// is counted as it is at the end, and its restart is seen.
func TestRestartedDuringTheCheck(t *testing.T) {
	old := start(t, "cpx-")
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.Run(t, testutil.Binary(t, "check-process"), nil, "-n", name(old), "--cpu-warning", "90", "--cpu-sample", "3s", "--min-age", "1m", "-v")
	}()
	time.Sleep(time.Second)
	old.Stop()
	restarted := testutil.StartProcessAt(t, old.Path)
	r := <-done
	r.Expect(t, 1, "restarted ", "(pid "+strconv.Itoa(restarted.PID)+"), --min-age 1m")
	if strings.Contains(r.Stdout, "pid "+strconv.Itoa(old.PID)) {
		t.Errorf("the old process is still counted: %s", r.Stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "PROCESS UNKNOWN: no process group given: name one with -p RE"},
		{[]string{"-p", "("}, "PROCESS UNKNOWN: -p '(' is not a regular expression"},
		{[]string{"-n", "/usr/bin/x"}, "PROCESS UNKNOWN: -n /usr/bin/x is not a process name"},
		{[]string{"--exe", "nginx"}, "is not an absolute path"},
		{[]string{"-n", "x", "--rss-warning", "lots"}, `PROCESS UNKNOWN: invalid value for --rss-warning: "lots" is not a size`},
		{[]string{"-n", "x", "-w", "-1"}, "PROCESS UNKNOWN:"},
		{[]string{"-n", "x", "--label", "a", "--label", "b"}, "2 --label for 1 group: give one --label per group"},
		{[]string{"--pidfile", "/run/x.pid", "-n", "x", "--label", "a", "--label", "b"}, "2 --label for 1 group: give one --label per group, in the order of the groups (a -p or -n right after --pidfile is part of its group)"},
		{[]string{"-n", "x", "--ppid", "abc"}, "PROCESS UNKNOWN: --ppid abc is not a PID: write the parent's process ID, such as 1"},
		{[]string{"-n", "x", "--ppid=-3"}, "PROCESS UNKNOWN: --ppid -3 is not a PID: write the parent's process ID, such as 1"},
		{[]string{"-n", "x", "--bogus"}, "PROCESS UNKNOWN: unknown flag --bogus"},
		{[]string{"-n", "x", "extra"}, `unexpected argument "extra"`},
		{[]string{"-n", "x", "-u", "no-such-user-here"}, "no such user"},
		{[]string{"-n", "x", "--state", "Q"}, "is not a process state"},
		{[]string{"-n", "x", "-w", "5", "-c", "2"}, "-w 5 exceeds -c 2"},
		{[]string{"-n", "x", "-W", "5", "-w", "3"}, "leave no count that is OK"},
		{[]string{"-n", "x", "-C", "4", "-w", "2"}, "leave no count that is OK"},
		{[]string{"-n", "x", "--rss-warning", "2G", "--rss-critical", "1G"}, "--rss-warning is above --rss-critical"},
		{[]string{"-n", "x", "--fd-warning", "150"}, "100 or less"},
		{[]string{"-n", "x", "--cpu-warning", "50", "--cpu-sample", "10s"}, "--cpu-sample 10s does not fit in the -t 10s deadline"},
		{[]string{"-p", ""}, "PROCESS UNKNOWN: -p '' is empty: it would match every process; give a regular expression"},
		{[]string{"-n", "x", "-x", "("}, "PROCESS UNKNOWN: -x '(' is not a regular expression: missing closing ): `(`"},
		{[]string{"-n", "x", "-x", ""}, "PROCESS UNKNOWN: -x '' is empty: it would leave out every process; give a regular expression"},
		{[]string{"--count", "1", "-n", "x"}, "PROCESS UNKNOWN: --count 1 comes before any group: write it right after the group it judges"},
		{[]string{"-n", "x", "--count", "1", "--count", "2"}, "PROCESS UNKNOWN: --count 2: group x already has --count 1"},
		{[]string{"-n", "x", "--count", "3..1"}, `PROCESS UNKNOWN: --count "3..1": the least is above the most`},
		{[]string{"-n", "x", "--count", "many"}, `PROCESS UNKNOWN: --count "many" is not a count range: write N (exactly), N.. (at least), ..M (at most) or N..M`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			res := run(t, tc.args...)
			res.Expect(t, 3, tc.want)
			if strings.Count(res.Stdout, "\n") != 1 {
				t.Errorf("not one line: %q", res.Stdout)
			}
		})
	}
	run(t, "--help").Expect(t, 0, "--pidfile=PATH", "--systemd-unit=UNIT")
	run(t, "--version").Expect(t, 0, "check-process ")
}

func TestDrill(t *testing.T) {
	p := start(t, "cpd-")
	drill := testutil.WriteFile(t, "drill", []byte("critical game day\n"))
	run(t, "-n", name(p), "--drill-file", drill).Expect(t, 2, "PROCESS CRITICAL: [DRILL] game day (real: OK 1 group: "+name(p)+" 1 process)")
	run(t, "-n", name(p), "--drill-file", drill+".absent").Expect(t, 0, "PROCESS OK")
}

// The run ends in time: a CPU sample that takes most of -t, and a
// SIGTERM in the middle of a long one.
func TestEndsInTime(t *testing.T) {
	p := start(t, "cpe-")
	res := run(t, "-n", name(p), "-t", "3", "--cpu-warning", "50", "--cpu-sample", "1.9s")
	// A machine too busy to finish the sample in time ends it at the
	// deadline, saying so; either way the run ends.
	if ok := res.Code == 0 && strings.HasPrefix(res.Stdout, "PROCESS OK"); !ok &&
		(res.Code < 2 || !regexp.MustCompile(`^PROCESS (CRITICAL|UNKNOWN): .*(still in progress after|ran out of the deadline)`).MatchString(res.Stdout)) {
		t.Errorf("neither OK nor ended by the deadline:\n%s", res)
	}
	res.ExpectEndedBy(t, 3*time.Second)

	cmd := exec.Command(testutil.Binary(t, "check-process"), "-n", name(p), "-t", "20", "--cpu-warning", "50", "--cpu-sample", "15s")
	var out strings.Builder
	cmd.Stdout = &out
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	begin := testutil.Interrupt(t, cmd, started, syscall.SIGTERM, nil)
	err := cmd.Wait()
	// The run has 20 s; ending well before says the signal ended it.
	if took := time.Since(begin); took > testutil.Starved(time.Second) {
		t.Errorf("exited %s after SIGTERM", took)
	}
	if e, ok := err.(*exec.ExitError); !ok || e.ExitCode() != 2 || !strings.Contains(out.String(), "sampling CPU over 15s: stopped after") {
		t.Errorf("after SIGTERM: %v\n%s", err, out.String())
	}
}

// A scan the deadline cuts took no count: the group is UNKNOWN, naming
// the scan, the deadline and what was left unread, and never "0
// processes" CRITICAL over a service that may be running. The deadline
// is -t 1ns, spent before the scan begins: a 1 ms one outlasts a whole
// scan of a quiet container's /proc on a fast machine, and the scan then
// rightly counts.
func TestPartialScanStatesNoCount(t *testing.T) {
	p := start(t, "cppart-")
	for _, args := range [][]string{{"-n", name(p)}, {"-p", "cppart-none-" + strconv.Itoa(os.Getpid())}} {
		res := run(t, append(args, "-t", "1ns")...)
		res.ExpectMatch(t, 3, `^PROCESS UNKNOWN: \S+ \(`+regexp.QuoteMeta(args[0])+` [^)]*\): count not taken: the scan of /proc ran out of the -t 1ns deadline with \d+ processes left unread \(pid \d+`)
		if regexp.MustCompile(`\b0 processes`).MatchString(res.Stdout) || strings.Contains(res.Stdout, "CRITICAL") {
			t.Errorf("a count that was not taken is stated:\n%s", res.Stdout)
		}
	}
}

// A command line is read up to 1 MiB: a pattern that only the rest
// would match is not found, and -v says which command lines were cut.
func TestLongCommandLine(t *testing.T) {
	tag := strconv.Itoa(os.Getpid())
	args := []string{"--", "head-" + tag}
	for range 10 {
		args = append(args, strings.Repeat("x", 120<<10))
	}
	p := start(t, "cplong-", append(args, "tail-"+tag)...)
	run(t, "-p", "head-"+tag, "-v").Expect(t, 0, "PROCESS OK: 1 group: head-"+tag+" 1 process\n",
		"OK: head-"+tag+" (-p 'head-"+tag+"'): the command line of pid "+strconv.Itoa(p.PID)+" is over 1 MiB: -p and -x match its first 1 MiB only")
	run(t, "-p", "tail-"+tag, "-v").Expect(t, 2, "0 processes, expected at least 1",
		"the command line of pid "+strconv.Itoa(p.PID)+" is over 1 MiB: -p and -x match its first 1 MiB only")
	out := run(t, "-p", "head-"+tag).Stdout
	if strings.Contains(out, "1 MiB") {
		t.Errorf("without -v: %s", out)
	}
}

// --exe given through a symlink (/bin/sleep where /bin is a link to
// usr/bin, a link in a release folder) finds the processes of the file it
// names: /proc/PID/exe shows the resolved path.
func TestExeThroughSymlink(t *testing.T) {
	p := start(t, "cpl-")
	dir := t.TempDir()
	link := filepath.Join(dir, "current")
	if err := os.Symlink(filepath.Dir(p.Path), link); err != nil {
		t.Fatal(err)
	}
	via := filepath.Join(link, name(p))
	run(t, "--exe", via, "-v").Expect(t, 0, "PROCESS OK: 1 group: "+via+" 1 process", "pids "+strconv.Itoa(p.PID)+")")
	run(t, "--exe", filepath.Join(link, name(p)+"x")).Expect(t, 2, "0 processes")
}

// A cgroup of another v1 hierarchy (memory, cpu) may be named anything,
// a unit's name included: only systemd's own hierarchy (name=systemd)
// and the unified one say which unit a process is in.
func TestSystemdUnitIgnoresOtherHierarchies(t *testing.T) {
	p := start(t, "cpv1-")
	unit := testutil.UniqueName("cpv1unit-")
	placed := false
	for _, h := range []string{"memory", "cpu", "pids", "blkio"} {
		if placeInCgroup(t, p, filepath.Join("/sys/fs/cgroup", h), unit+".service") {
			placed = true
			break
		}
	}
	if !placed {
		t.Skip("no cgroup v1 controller hierarchy to make a cgroup in (cgroup v2 only, or not root)")
	}
	res := run(t, "--systemd-unit", unit, "-v")
	if res.Code == 0 || strings.Contains(res.Stdout, strconv.Itoa(p.PID)) {
		t.Errorf("a process in a memory or cpu cgroup named %s.service is counted as in the unit:\n%s", unit, res.Stdout)
	}
}

// On a host that systemd did not boot, a unit is never found: the
// message says so, rather than that the service has stopped.
func TestSystemdUnitWithoutSystemd(t *testing.T) {
	unit := "cpu-none-" + strconv.Itoa(os.Getpid())
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		run(t, "--systemd-unit", unit).Expect(t, 2, "0 processes, expected at least 1")
		return
	}
	run(t, "--systemd-unit", unit).Expect(t, 3, "PROCESS UNKNOWN: "+unit+" (--systemd-unit "+unit+"): systemd is not running on this host (no /run/systemd/system): name the processes with -p, -n or --exe")
}

// Many groups: the OK text names as many as fit and counts the rest,
// rather than being cut mid-word.
func TestManyGroupsOK(t *testing.T) {
	p := start(t, "cpm-")
	var args []string
	for i := range 60 {
		args = append(args, "-n", name(p), "--label", "group-label-number-"+strconv.Itoa(i+1))
	}
	res := run(t, args...)
	first := res.Expect(t, 0, "PROCESS OK: 60 groups: group-label-number-1 1 process, ")
	if !regexp.MustCompile(`, and \d+ more groups$`).MatchString(first) || strings.Contains(first, "…") {
		t.Errorf("OK text not summarised: %q", first)
	}
	if n := len([]rune(res.Stdout)); n >= 1000 {
		t.Errorf("%d runes", n)
	}
}

// A parent that reaps none of many children: the WARNING names a few
// zombies and counts the rest, rather than being cut mid-line.
func TestManyZombies(t *testing.T) {
	p := start(t, "cpzz-")
	p.Stop()
	cmd := exec.Command("/bin/sh", "-c", `for i in $(seq 30); do "$0" -exit & done; exec "$0"`, p.Path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := run(t, "-n", name(p), "--ppid", strconv.Itoa(cmd.Process.Pid), "--state", "Z", "-W", "0", "-C", "0")
		if strings.Contains(res.Stdout, " 30 processes") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not 30 zombies: %s", res.Stdout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	first := run(t, "-n", name(p), "--zombies").Expect(t, 1, "PROCESS WARNING: "+name(p)+" (-n "+name(p)+"): 30 zombies: pid ", " (parent "+strconv.Itoa(cmd.Process.Pid)+"), ")
	if !strings.HasSuffix(first, " more") || strings.Contains(first, "…") {
		t.Errorf("zombies not summarised: %q", first)
	}
}

// A deploy flips the release link before the restart: the process
// started through the link runs the old release, and still counts.
func TestExeLinkFlipped(t *testing.T) {
	p := start(t, "cpflip-")
	p.Stop()
	base := t.TempDir()
	for _, release := range []string{"r1", "r2"} {
		dir := filepath.Join(base, "releases", release)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(p.Path, filepath.Join(dir, "app")); err != nil {
			t.Fatal(err)
		}
	}
	current := filepath.Join(base, "current")
	if err := os.Symlink("releases/r1", current); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(current, "app")
	running := testutil.StartProcessAt(t, exe)
	run(t, "--exe", exe, "-v").Expect(t, 0, "pids "+strconv.Itoa(running.PID)+")")
	// ln -sfn releases/r2 current, as deploy tools do: a new link renamed over the old.
	next := filepath.Join(base, "current.next")
	if err := os.Symlink("releases/r2", next); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, current); err != nil {
		t.Fatal(err)
	}
	run(t, "--exe", exe, "-v").Expect(t, 0, "PROCESS OK: 1 group: "+exe+" 1 process", "pids "+strconv.Itoa(running.PID)+")")
	// A process of the old release started by its own path is another
	// program as far as the link goes.
	run(t, "--exe", filepath.Join(base, "releases", "r2", "app")).Expect(t, 2, "0 processes")
	run(t, "--help").Expect(t, 0, "started as PATH")
}

// An executable replaced or removed on disk (a deploy) shows in
// /proc/PID/exe with " (deleted)"; --exe still finds its processes.
func TestExeDeleted(t *testing.T) {
	p := start(t, "cpdel-")
	if err := os.Remove(p.Path); err != nil {
		t.Fatal(err)
	}
	if exe, _ := os.Readlink("/proc/" + strconv.Itoa(p.PID) + "/exe"); !strings.HasSuffix(exe, " (deleted)") {
		t.Skipf("exe is %q, not deleted", exe)
	}
	run(t, "--exe", p.Path, "-v").Expect(t, 0, "pids "+strconv.Itoa(p.PID)+")")
	run(t, "-n", name(p)).Expect(t, 0, name(p)+" 1 process")
	// ... also when its folder is reached through a link.
	link := filepath.Join(t.TempDir(), "current")
	if err := os.Symlink(filepath.Dir(p.Path), link); err != nil {
		t.Fatal(err)
	}
	run(t, "--exe", filepath.Join(link, name(p)), "-v").Expect(t, 0, "pids "+strconv.Itoa(p.PID)+")")
}

// The process's start is computed from the boot time, which follows the
// wall clock: a clock step after the service wrote its pid file (chrony's
// makestep at boot) moves it. A step up to MaxClockStep is tolerated, and
// with -n or -p the name decides whatever the times say.
func TestPIDFileAcrossAClockStep(t *testing.T) {
	p := start(t, "cpstep-")
	dir := t.TempDir()
	write := func(file string, mtime time.Time) string {
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(strconv.Itoa(p.PID)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		testutil.SetModTime(t, path, mtime)
		return path
	}
	stepped := write("stepped.pid", time.Now().Add(-90*time.Second))
	run(t, "--pidfile", stepped).Expect(t, 0, "PROCESS OK: 1 group: "+stepped+" 1 process")
	old := write("old.pid", time.Now().Add(-time.Hour))
	run(t, "--pidfile", old).Expect(t, 2, "a stale pid file, the PID was reused by "+name(p))
	run(t, "--pidfile", old, "-n", name(p)).Expect(t, 0, "PROCESS OK: 1 group: "+old+" 1 process")
	run(t, "--pidfile", old, "-n", "nginx").Expect(t, 2, "which does not match -n nginx: a stale pid file")
}

// A service that writes a thread's ID to its pid file is running: the
// check counts the thread's process and says what the file holds.
func TestPIDFileHoldingAThreadID(t *testing.T) {
	p := start(t, "cptid-", "-threads", "4")
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(p.PID) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	tid := ""
	for _, task := range tasks {
		if task.Name() != strconv.Itoa(p.PID) {
			tid = task.Name()
		}
	}
	if tid == "" {
		t.Fatalf("no thread besides the main one in %v", tasks)
	}
	path := testutil.WriteFile(t, "app.pid", []byte(tid+"\n"))
	run(t, "--pidfile", path, "-n", name(p), "-v").Expect(t, 1,
		"PROCESS WARNING: "+path+" (--pidfile "+path+" -n "+name(p)+"): pid file "+path+" holds "+tid+", a thread of pid "+strconv.Itoa(p.PID)+" ("+name(p)+"), not a process ID: the service writes its thread ID")
	// Its process is what counts: too many is judged of it.
	run(t, "--pidfile", path, "-w", "0").Expect(t, 1, "1 process, expected at most 0")
}

// A stale pid file names the process that reused the PID by its name,
// not its command line, which may carry another program's secrets.
func TestStalePIDFileHidesTheCommandLine(t *testing.T) {
	p := start(t, "cpsec-", "--", "--password=hunter2")
	path := testutil.WriteFile(t, "app.pid", []byte(strconv.Itoa(p.PID)+"\n"))
	res := run(t, "--pidfile", path, "-p", "^/usr/sbin/nginx")
	res.Expect(t, 2, "pid "+strconv.Itoa(p.PID)+" from "+path+" is "+name(p)+", which does not match -p '^/usr/sbin/nginx': a stale pid file")
	if strings.Contains(res.Stdout, "hunter2") {
		t.Errorf("a command line is printed: %s", res.Stdout)
	}
}
