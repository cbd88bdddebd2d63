package procscan

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     stat
		bad      bool
	}{
		{"plain", "4121 (nginx) S 1 4121 4121 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 12345 100000 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
			stat{comm: "nginx", state: 'S', ppid: 1, flags: 4194560, cpuTicks: 300, threads: 3, startTicks: 12345, rssPages: 2048}, false},
		{"name with spaces and parentheses", "77 (a b) (c)) R 2 0 0 0 -1 2097216 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 18446744073709551615\n",
			stat{comm: "a b) (c)", state: 'R', ppid: 2, flags: 2097216, threads: 1, startTicks: 9}, false},
		{"zombie", "9 (worker) Z 8 0 0 0 -1 4227084 0 0 0 0 1 1 0 0 20 0 1 0 500 0 0 18446744073709551615 0 0",
			stat{comm: "worker", state: 'Z', ppid: 8, flags: 4227084, cpuTicks: 2, threads: 1, startTicks: 500}, false},
		{"cut short", "9 (worker) Z 8 0 0", stat{}, true},
		{"no name", "9 worker Z 8", stat{}, true},
		{"not a number", "9 (w) S x 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0 0", stat{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.in))
			if tc.bad {
				if err == nil {
					t.Fatalf("parsed %+v, want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, tc.want)
			}
		})
	}
}

func TestParseCmdline(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\x00\x00", nil},
		{"/usr/bin/ruby\x00worker.rb\x00--queue=a\x00", []string{"/usr/bin/ruby", "worker.rb", "--queue=a"}},
		{"nginx: master process /usr/sbin/nginx", []string{"nginx: master process /usr/sbin/nginx"}},
		{"a\x00\x00b\x00", []string{"a", "", "b"}},
	} {
		got, line := parseCmdline([]byte(tc.in))
		if !slices.Equal(got, tc.want) || line != strings.Join(tc.want, " ") {
			t.Errorf("parseCmdline(%q) = %q, %q; want %q", tc.in, got, line, tc.want)
		}
	}
}

func TestParseStatusCgroupLimitsBoot(t *testing.T) {
	uid, err := parseUID([]byte("Name:\tx\nUmask:\t0022\nState:\tS\nUid:\t1000\t33\t33\t33\nGid:\t0\t0\t0\t0\n"))
	if err != nil || uid != 33 {
		t.Errorf("uid %d, %v; want the effective 33", uid, err)
	}
	if _, err := parseUID([]byte("Name:\tx\n")); err == nil {
		t.Error("status without Uid: no error")
	}
	v1 := "12:pids:/system.slice/nginx.service\n4:memory:/process_api/74e3\n1:name=systemd:/system.slice/nginx.service\n0::/\n"
	if got := parseCgroup([]byte(v1)); !slices.Equal(got, []string{"/system.slice/nginx.service", "/"}) {
		t.Errorf("cgroup v1: %q", got)
	}
	if got := parseCgroup([]byte("0::/system.slice/a:b.service\n")); !slices.Equal(got, []string{"/system.slice/a:b.service"}) {
		t.Errorf("cgroup v2 with a colon: %q", got)
	}
	limits := "Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            1024                 524288               files     \n"
	if n, err := parseNoFile([]byte(limits)); err != nil || n != 1024 {
		t.Errorf("nofile %d, %v", n, err)
	}
	if n, err := parseNoFile([]byte("Max open files            unlimited            unlimited            files\n")); err != nil || n != 0 {
		t.Errorf("unlimited nofile %d, %v", n, err)
	}
	boot, err := parseBootTime([]byte("cpu  1 2 3\nintr 0\nbtime 1700000000\nprocesses 5\n"))
	if err != nil || !boot.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("btime %v, %v", boot, err)
	}
}
