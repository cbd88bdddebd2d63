package catalog

import (
	"fmt"
	"strings"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// Doc is the monitoring document kept beside the catalog: what is
// watched, who acts and how, and what the alert says, written from the
// catalog so that it cannot drift from what runs.
func (c *Catalog) Doc() []byte {
	var b strings.Builder
	n := 0
	for _, s := range c.Services {
		n += len(s.Items)
	}
	b.Grow(1024 + 200*len(c.Services) + 1024*n)
	fmt.Fprintf(&b, "<!-- %s -->\n\n# Monitoring\n\n", generatedHeader)
	b.WriteString("## Coverage\n\n| service | external | TLS | HTTP | process | metrics |\n|---|---|---|---|---|---|\n")
	for _, s := range c.Services {
		count := map[Kind]int{}
		ext := 0
		for _, it := range s.Items {
			count[it.Kind]++
			if it.External {
				ext++
			}
		}
		metrics := 0
		for _, k := range Kinds {
			metrics += len(s.Metrics[k])
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s | %s |\n", s.Name, anchor(s.Name), cell(ext), cell(count[TLS]), cell(count[HTTP]), cell(count[Process]), cell(metrics))
	}
	for _, s := range c.Services {
		fmt.Fprintf(&b, "\n## %s\n\n", s.Name)
		fmt.Fprintf(&b, "- Owner: %s\n- Runbook: %s\n", mdText(s.Owner), s.Runbook)
		var roles []string
		for _, r := range s.Roles {
			roles = append(roles, "`"+s.Name+":"+r.Name+"`")
		}
		fmt.Fprintf(&b, "- Roles: %s\n", orDefault(strings.Join(roles, ", "), "none"))
		for _, it := range s.Items {
			fmt.Fprintf(&b, "\n### %s %s\n\n", it.Kind, it.Name)
			fmt.Fprintf(&b, "- Watches: %s\n", mdText(it.watches()))
			fmt.Fprintf(&b, "- Where: %s\n", it.where())
			st := c.Settings(it)
			fmt.Fprintf(&b, "- Thresholds: %s\n", mdText(it.thresholds()))
			fmt.Fprintf(&b, "- Runs every %s, alerts after %d failed %s, times out after %s\n", st.CheckInterval, st.MaxCheckAttempts, textfmt.Plural(st.MaxCheckAttempts, "run"), st.Timeout)
			fmt.Fprintf(&b, "- Check: `%s`\n", it.CheckName())
			if it.External {
				fmt.Fprintf(&b, "- External monitor: `%s`\n", it.MonitorName())
			}
			if it.Recover != nil && it.Recover.Run != "" {
				fmt.Fprintf(&b, "- Recovery: `%s`, at most %s\n", it.Recover.Run, it.Recover.AtMost)
			}
			fmt.Fprintf(&b, "\nThe alert reads:\n\n```\n%s\n```\n\nWhat to do: %s\n", c.ExampleMessage(it), mdText(it.Action))
		}
	}
	return []byte(b.String())
}

func (it *Item) watches() string {
	switch it.Kind {
	case TLS:
		if it.File != "" {
			return "the certificate in " + it.File
		}
		return "the certificate served at " + it.Target
	case HTTP:
		if it.Scenario != "" {
			return "the journey in " + it.Scenario
		}
		return orDefault(it.Method, "GET") + " " + it.URL
	case Process:
		var sel []string
		for _, p := range []struct{ k, v string }{{"name", it.Select.Name}, {"pattern", it.Select.Pattern}, {"exe", it.Select.Exe}, {"pidfile", it.Select.PIDFile}, {"systemd unit", it.Select.SystemdUnit}} {
			if p.v != "" {
				sel = append(sel, p.k+" "+p.v)
			}
		}
		return "processes by " + strings.Join(sel, ", ")
	}
	return ""
}

func (it *Item) where() string {
	var roles []string
	for _, r := range it.Service.Roles {
		if it.RunsOn(r.Name) {
			roles = append(roles, "`"+it.Service.Name+":"+r.Name+"`")
		}
	}
	w := "hosts of " + orDefault(strings.Join(roles, ", "), "no role")
	if it.External {
		w += ", and Mackerel's external monitor"
	}
	return w
}

func (it *Item) thresholds() string {
	var t []string
	add := func(label, v string) {
		if v != "" {
			t = append(t, label+" "+v)
		}
	}
	switch it.Kind {
	case TLS:
		add("WARNING under", orDefault(it.Warning, "30")+" days")
		add("CRITICAL under", orDefault(it.Critical, "14")+" days")
	case HTTP:
		add("status", orDefault(it.Status, "200-399"))
		for _, s := range it.Contains {
			add("body contains", fmt.Sprintf("%q", s))
		}
		for _, s := range it.Pattern {
			add("body matches", s)
		}
		for _, s := range it.JQ {
			add("jq", s)
		}
		add("WARNING slower than", it.Warning)
		add("CRITICAL slower than", it.Critical)
		add("certificate WARNING under", it.CertWarning)
		add("certificate CRITICAL under", it.CertCritical)
	case Process:
		cu := 1
		if it.CriticalUnder != nil {
			cu = *it.CriticalUnder
		}
		add("CRITICAL under", fmt.Sprint(cu))
		for _, p := range []struct {
			l string
			n *int
		}{{"WARNING under", it.WarningUnder}, {"WARNING over", it.WarningOver}, {"CRITICAL over", it.CriticalOver}} {
			if p.n != nil {
				add(p.l, fmt.Sprint(*p.n))
			}
		}
	}
	return strings.Join(t, "; ")
}

func cell(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func anchor(s string) string { return strings.ToLower(s) }

// mdText keeps text on its line and out of Markdown's syntax.
func mdText(s string) string {
	return mdEscape.Replace(strings.Join(strings.Fields(s), " "))
}

var mdEscape = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`)
