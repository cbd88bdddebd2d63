package catalog

import (
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
)

// Host says where things are on the hosts that run the checks.
type Host struct {
	PluginDir, DrillDir, ConfDir string
}

// Host returns the catalog's host layout, each part replaced by the
// non-empty one of override.
func (c *Catalog) Host(override Host) Host {
	h := Host{c.Defaults.PluginDir, c.Defaults.DrillDir, c.Defaults.ConfDir}
	if override.PluginDir != "" {
		h.PluginDir = override.PluginDir
	}
	if override.DrillDir != "" {
		h.DrillDir = override.DrillDir
	}
	if override.ConfDir != "" {
		h.ConfDir = override.ConfDir
	}
	return h
}

// Settings are an item's timing, its own or the catalog's defaults.
type Settings struct {
	CheckInterval    time.Duration
	MaxCheckAttempts int
	Timeout          time.Duration
}

// Settings returns the item's timing.
func (c *Catalog) Settings(it *Item) Settings {
	s := Settings{c.Defaults.CheckInterval, c.Defaults.MaxCheckAttempts, c.Defaults.Timeout}
	if it.CheckInterval > 0 {
		s.CheckInterval = it.CheckInterval
	}
	if it.MaxCheckAttempts > 0 {
		s.MaxCheckAttempts = it.MaxCheckAttempts
	}
	if it.Timeout > 0 {
		s.Timeout = it.Timeout
	}
	return s
}

// DrillFile is where the item's drill file is on a host.
func (it *Item) DrillFile(h Host) string {
	return path.Join(h.DrillDir, it.CheckName())
}

// ScenarioFile is where the item's scenario is written beside the agent
// configuration on a host.
func (it *Item) ScenarioFile(h Host) string {
	return path.Join(h.ConfDir, "frontline-"+it.CheckName()+".scenario.yaml")
}

// Args are the plugin arguments the item's check runs with, the
// catalog's keys first, the item's args: last.
func (c *Catalog) Args(it *Item, h Host) []string {
	return c.appendArgs(make([]string, 0, 24+len(it.Args)), it, h)
}

// appendArgs appends the item's arguments to a: the command line is
// built in one slice, not copied after its command.
func (c *Catalog) appendArgs(a []string, it *Item, h Host) []string {
	add := func(flag, v string) {
		if v != "" {
			a = append(a, flag, v)
		}
	}
	switch it.Kind {
	case TLS:
		switch {
		case it.File != "":
			add("-f", it.File)
		case strings.Contains(it.Target, "://"):
			add("-u", it.Target)
		default:
			add("-H", it.Target)
		}
		add("-w", it.Warning)
		add("-c", it.Critical)
	case HTTP:
		if it.Scenario != "" {
			add("--scenario", it.ScenarioFile(h))
		} else {
			add("-u", it.URL)
			add("-m", it.Method)
			for _, hd := range it.Headers {
				add("-H", hd.Name+": "+hd.Value)
			}
		}
		add("-s", it.Status)
		for _, s := range it.Contains {
			add("--contains", s)
		}
		for _, s := range it.Pattern {
			add("-p", s)
		}
		for _, s := range it.JQ {
			add("--jq", s)
		}
		add("-w", it.Warning)
		add("-c", it.Critical)
		add("--cert-warning", it.CertWarning)
		add("--cert-critical", it.CertCritical)
		if it.NoFollow {
			a = append(a, "--no-follow")
		}
	case Process:
		s := it.Select
		add("--pidfile", s.PIDFile)
		add("-n", s.Name)
		add("-p", s.Pattern)
		add("--exe", s.Exe)
		add("--systemd-unit", s.SystemdUnit)
		if it.groups() == 1 {
			add("--label", it.Name)
		}
		add("-u", s.User)
		for _, t := range []struct {
			flag string
			n    *int
		}{{"-C", it.CriticalUnder}, {"-W", it.WarningUnder}, {"-w", it.WarningOver}, {"-c", it.CriticalOver}} {
			if t.n != nil {
				add(t.flag, strconv.Itoa(*t.n))
			}
		}
	}
	st := c.Settings(it)
	add("-t", st.Timeout.String())
	add("--drill-file", it.DrillFile(h))
	if it.Recovers() {
		add("--recovery-state", it.RecoveryState(h))
	}
	if c.Defaults.DrillMaxAge != check.DefaultDrillMaxAge {
		add("--drill-max-age", c.Defaults.DrillMaxAge.String())
	}
	return append(a, it.Args...)
}

// groups is how many process groups the item's selector makes: a
// --pidfile and a -n or -p right after it are one.
func (it *Item) groups() int {
	s := it.Select
	n := 0
	for _, v := range []string{s.PIDFile, s.Name, s.Pattern, s.Exe, s.SystemdUnit} {
		if v != "" {
			n++
		}
	}
	if s.PIDFile != "" && (s.Name != "" || s.Pattern != "") {
		n--
	}
	return n
}

// Command is the item's check command on a host, in array form: no
// shell reads it.
func (c *Catalog) Command(it *Item, h Host) []string {
	a := make([]string, 1, 25+len(it.Args))
	a[0] = path.Join(h.PluginDir, PluginOf(it.Kind).Command())
	return c.appendArgs(a, it, h)
}

// Memo is what the agent attaches to the item's alerts: who acts, how,
// and where the runbook is. Mackerel keeps 250 characters of it.
func (it *Item) Memo() string {
	return "owner: " + it.Service.Owner + "\naction: " + it.Action + "\nrunbook: " + it.Service.Runbook
}

// MaxMemo is Mackerel's limit on a check's memo, in characters.
const MaxMemo = 250

// AgentTimeout is how long the agent lets the check run: the plugin ends
// itself within its own timeout and a second; the rest is slack for a
// loaded host.
func (s Settings) AgentTimeout() int {
	return int(math.Ceil(s.Timeout.Seconds())) + 5
}
