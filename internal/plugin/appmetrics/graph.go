package appmetrics

import (
	"encoding/json"
	"fmt"
	"io"

	mp "github.com/mackerelio/go-mackerel-plugin"
)

// metaHeader starts the output of a meta run.
const metaHeader = "# mackerel-agent-plugin"

// httpPhases are the http_time metrics of one target: the phases a request
// goes through stacked, and its total beside them (the rest of the total is
// reading the body).
var httpPhases = []mp.Metrics{
	{Name: "dns", Label: "DNS", Stacked: true},
	{Name: "connect", Label: "Connect", Stacked: true},
	{Name: "tls", Label: "TLS", Stacked: true},
	{Name: "ttfb", Label: "TTFB", Stacked: true},
	{Name: "total", Label: "Total"},
}

// perTarget is a graph with one line per target name.
func perTarget(label, unit string) mp.Graphs {
	return mp.Graphs{Label: label, Unit: unit, Metrics: []mp.Metrics{{Name: "*", Label: "%1"}}}
}

// graphDefs are the graph definitions of what the targets of s print, keyed
// by their full name (prefix included); host adds the host context.
func graphDefs(prefix string, s *targetSpec, host bool) map[string]mp.Graphs {
	g := map[string]mp.Graphs{}
	if len(s.TLS) > 0 {
		g[prefix+".tls_days"] = perTarget("TLS days left", mp.UnitFloat)
		g[prefix+".tls_valid"] = perTarget("TLS certificate valid", mp.UnitInteger)
	}
	if len(s.HTTP) > 0 {
		// One graph per target, its phases stacked: the wildcard is the
		// target's name.
		g[prefix+".http_time.#"] = mp.Graphs{Label: "HTTP time", Unit: mp.UnitMilliseconds, Metrics: httpPhases}
		g[prefix+".http_status"] = perTarget("HTTP status", mp.UnitInteger)
		g[prefix+".http_up"] = perTarget("HTTP up", mp.UnitInteger)
	}
	if len(s.Process) > 0 {
		g[prefix+".proc_count"] = perTarget("Processes", mp.UnitInteger)
		g[prefix+".proc_cpu"] = perTarget("Process CPU (% of one core)", mp.UnitPercentage)
		g[prefix+".proc_rss"] = perTarget("Process RSS", mp.UnitBytes)
		g[prefix+".proc_fds"] = perTarget("Process open files", mp.UnitInteger)
		g[prefix+".proc_threads"] = perTarget("Process threads", mp.UnitInteger)
		g[prefix+".proc_uptime"] = perTarget("Process uptime (youngest)", mp.UnitSeconds)
	}
	if host {
		g[prefix+".host"] = mp.Graphs{Label: "Host", Unit: mp.UnitPercentage, Metrics: []mp.Metrics{
			{Name: "cpu_used", Label: "CPU used"},
			{Name: "mem_used", Label: "Memory used"},
		}}
	}
	return g
}

// writeMeta writes what a meta run prints: the header line and the graph
// definitions as one JSON object.
func writeMeta(w io.Writer, graphs map[string]mp.Graphs) error {
	b, err := json.Marshal(mp.GraphDef{Graphs: graphs})
	if err != nil {
		return fmt.Errorf("graph definitions: %v", err)
	}
	_, err = fmt.Fprintf(w, "%s\n%s\n", metaHeader, b)
	return err
}
