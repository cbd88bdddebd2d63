package appmetrics

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTargets(t *testing.T) {
	for _, tc := range []struct {
		kind, in string
		want     string // "" for an error
		err      string
	}{
		{"tls", "www=www.example.com", "www www.example.com:443", ""},
		{"tls", "api=10.0.0.5:8443", "api 10.0.0.5:8443", ""},
		{"tls", "v6=[::1]:443", "v6 [::1]:443", ""},
		{"tls", "cert=file:/etc/ssl/a.pem", "cert file /etc/ssl/a.pem", ""},
		{"tls", "cert=file:", "", "file: needs a path"},
		{"tls", "a b=x", "", `the name "a b"`},
		{"tls", "x", "", "write NAME=VALUE"},
		{"tls", "x=", "", "nothing after '='"},
		{"http", "api=https://api.example.com/health", "api https://api.example.com/health", ""},
		{"http", "api=api.example.com", "", "is not an http:// or https:// URL"},
		{"process", "web=name:nginx", "web -n nginx", ""},
		{"process", "db=unit:postgresql", "db --systemd-unit postgresql", ""},
		{"process", "jobs=sidekiq .*", "jobs -p 'sidekiq .*'", ""},
		{"process", "bad=name:/usr/sbin/nginx", "", "not a process name"},
		{"process", "bad=(", "", "not a regular expression"},
		{"process", "a.b=name:x", "", `the name "a.b"`},
		{"process", "x_-9=name:x", "x_-9 -n x", ""},
	} {
		t.Run(tc.kind+" "+tc.in, func(t *testing.T) {
			s := &targetSpec{}
			err := s.add(tc.kind, tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got string
			switch {
			case len(s.TLS) == 1 && s.TLS[0].Target.IsFile():
				got = s.TLS[0].Name + " file " + s.TLS[0].Target.Path
			case len(s.TLS) == 1:
				got = s.TLS[0].Name + " " + s.TLS[0].Target.Label()
			case len(s.HTTP) == 1:
				got = s.HTTP[0].Name + " " + s.HTTP[0].URL
			case len(s.Process) == 1:
				got = s.Process[0].Name + " " + s.Process[0].Select.String()
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidPrefix(t *testing.T) {
	for p, ok := range map[string]bool{"app": true, "shop.app": true, "a-b_c.d1": true, "": false, "a..b": false, ".a": false, "a b": false, "custom.app": false, "custom": false, "customer.app": true} {
		if err := validPrefix(p); (err == nil) != ok {
			t.Errorf("validPrefix(%q) = %v, want ok %v", p, err, ok)
		}
	}
}

func TestParseFileSameAsFlags(t *testing.T) {
	toml := "prefix = \"svc\"\nhost_context = true\n[tls]\nb = \"b.example.com\"\na = \"file:/x.pem\"\n[process]\nweb = \"name:nginx\"\n"
	yaml := "prefix: svc\nhost_context: true\ntls:\n  a: file:/x.pem\n  b: b.example.com\nprocess:\n  web: name:nginx\n"
	var hashes []string
	for name, data := range map[string]string{"a.toml": toml, "a.yaml": yaml, "a.yml": yaml} {
		f, err := parseFile(name, []byte(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := &targetSpec{}
		if err := f.addTo(s); err != nil {
			t.Fatal(err)
		}
		if f.Prefix != "svc" || !f.HostContext || len(s.TLS) != 2 || s.TLS[0].Name != "a" || len(s.Process) != 1 {
			t.Errorf("%s: %+v %+v", name, f, s)
		}
		hashes = append(hashes, hashConfig(f.Prefix, s))
	}
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		t.Errorf("the same targets hash differently: %v", hashes)
	}
	for name, data := range map[string]string{"x.toml": "[tsl]\na = \"b\"\n", "x.yaml": "tsl:\n  a: b\n", "x.json": "{}", "x.toml ": "= broken"} {
		if _, err := parseFile(name, []byte(data)); err == nil {
			t.Errorf("%s %q: no error", name, data)
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if st, err := loadState(path, "h"); st != nil || err != nil {
		t.Fatalf("missing file: %v, %v; want no state and no error", st, err)
	}
	want := &runState{Config: "h", At: 1e18, Boot: 1e9, CPU: map[string]int64{procKey(42, 7): 1500}}
	if err := saveState(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(path, "h")
	if err != nil || got.CPU["42:7"] != 1500 || got.At != want.At {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := loadState(path, "other"); err == nil || !strings.Contains(err.Error(), "another configuration") {
		t.Errorf("another configuration's file: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
}

func TestGraphsOnlyForTargetsGiven(t *testing.T) {
	s := &targetSpec{}
	s.add("http", "a=http://127.0.0.1/")
	g := graphDefs("app", s, false)
	if _, ok := g["app.http_time.#"]; !ok || len(g) != 3 {
		t.Errorf("graphs %v, want the three HTTP graphs", g)
	}
}

func TestCPUUsed(t *testing.T) {
	for _, tc := range []struct {
		name        string
		before, now hostCPUTimes
		want        float64
		ok          bool
	}{
		{"half busy", hostCPUTimes{Total: 1000, Idle: 500}, hostCPUTimes{Total: 1200, Idle: 600}, 50, true},
		{"idle", hostCPUTimes{Total: 1000, Idle: 500}, hostCPUTimes{Total: 1100, Idle: 600}, 0, true},
		{"busy", hostCPUTimes{Total: 1000, Idle: 500}, hostCPUTimes{Total: 1100, Idle: 500}, 100, true},
		// iowait counted backwards: idle shrinks, or grows past the total.
		{"idle shrank", hostCPUTimes{Total: 1000, Idle: 500}, hostCPUTimes{Total: 1100, Idle: 490}, 100, true},
		{"idle past total", hostCPUTimes{Total: 1000, Idle: 500}, hostCPUTimes{Total: 1100, Idle: 650}, 0, true},
		{"no time passed", hostCPUTimes{Total: 1000, Idle: 500}, hostCPUTimes{Total: 1000, Idle: 500}, 0, false},
		{"counters reset", hostCPUTimes{Total: 1000, Idle: 500}, hostCPUTimes{Total: 10, Idle: 5}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := cpuUsed(&tc.before, &tc.now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("cpuUsed = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
