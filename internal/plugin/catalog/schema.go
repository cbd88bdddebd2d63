package catalog

import (
	"bytes"
	"encoding/json"
)

// Schema is the catalog's JSON Schema, for editors: the same keys and
// types the loader accepts. What needs more than a type (threshold order,
// memo length, secrets) is left to `frontline check`.
func Schema() []byte {
	str := func(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
	num := func(desc string) map[string]any {
		return map[string]any{"type": []string{"string", "number"}, "description": desc}
	}
	strOrList := func(desc string) map[string]any {
		return map[string]any{"description": desc, "anyOf": []any{
			map[string]any{"type": []string{"string", "number"}},
			map[string]any{"type": "array", "items": map[string]any{"type": []string{"string", "number"}}},
		}}
	}
	count := func(desc string) map[string]any {
		return map[string]any{"type": "integer", "minimum": 0, "description": desc}
	}
	names := map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "uniqueItems": true}
	object := func(props map[string]any, required ...string) map[string]any {
		o := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	common := func() map[string]any {
		return map[string]any{
			"name":               str("the item's name, unique in its service and kind"),
			"action":             str("what the person paged does first; part of the alert's memo"),
			"roles":              names,
			"args":               strOrList("more arguments of the plugin"),
			"check_interval":     num("how often the check runs (1m, 5m)"),
			"max_check_attempts": map[string]any{"type": "integer", "minimum": 1},
			"timeout":            num("the plugin's timeout (10s)"),
			"recover": object(map[string]any{
				"run":         str("the command that heals the item"),
				"at_most":     str("how often it may run: 3/h, 1/30m, 5/d"),
				"eventbridge": map[string]any{"description": "reserved for cross-host recovery"},
			}),
		}
	}
	item := func(extra map[string]any) map[string]any {
		p := common()
		for k, v := range extra {
			p[k] = v
		}
		return object(p, "name")
	}
	tls := item(map[string]any{
		"target":   str("HOST[:PORT] or a URL, as check-tls-expiry -H/-u takes it"),
		"file":     str("a certificate file on the host"),
		"warning":  num("WARNING below this much validity left: days, 36h, 20%"),
		"critical": num("CRITICAL below this much validity left"),
	})
	http := item(map[string]any{
		"url":      str("the URL to request"),
		"method":   str("request method"),
		"scenario": str("a journey file, relative to the catalog"),
		"headers":  map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []string{"string", "number"}}},
		"expect": object(map[string]any{
			"status":   num("200, 2xx, 200-399, ..."),
			"contains": strOrList("text the body must contain"),
			"pattern":  strOrList("regular expressions the body must match"),
			"jq":       strOrList("jq expressions over the JSON body that must yield true"),
		}),
		"warning":       num("WARNING when the response takes longer"),
		"critical":      num("CRITICAL when the response takes longer"),
		"cert_warning":  num("WARNING when the certificate has less validity left"),
		"cert_critical": num("CRITICAL when the certificate has less validity left"),
		"no_follow":     map[string]any{"type": "boolean"},
		"external":      map[string]any{"type": "boolean", "description": "also a Mackerel external URL monitor"},
	})
	process := item(map[string]any{
		"select": object(map[string]any{
			"name": str("process name"), "pattern": str("regular expression over the command line"),
			"exe": str("executable path"), "pidfile": str("pid file"), "systemd_unit": str("systemd unit"),
			"user": num("effective user"),
		}),
		"critical_under": count("CRITICAL when fewer (default 1)"),
		"warning_under":  count("WARNING when fewer"),
		"warning_over":   count("WARNING when more"),
		"critical_over":  count("CRITICAL when more"),
	})
	list := func(it map[string]any) map[string]any { return map[string]any{"type": "array", "items": it} }
	service := object(map[string]any{
		"owner":   str("who is mentioned when an alert fires"),
		"runbook": map[string]any{"type": "string", "pattern": "^https?://"},
		"roles":   names,
		"tls":     list(tls),
		"http":    list(http),
		"process": list(process),
		"metrics": object(map[string]any{"tls": names, "http": names, "process": names}),
	}, "owner", "runbook")
	schema := object(map[string]any{
		"defaults": object(map[string]any{
			"check_interval":     num("how often checks run (1m)"),
			"max_check_attempts": map[string]any{"type": "integer", "minimum": 1},
			"timeout":            num("the plugins' timeout (10s)"),
			"drill_max_age":      num("how long a drill file sets the status (2h)"),
			"plugin_dir":         str("where the plugins are on a host"),
			"drill_dir":          str("where drill files are on a host"),
			"conf_dir":           str("the agent's conf.d on a host"),
		}),
		"services": map[string]any{
			"type":                 "object",
			"propertyNames":        map[string]any{"pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"},
			"additionalProperties": service,
		},
	})
	schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	schema["title"] = "frontline monitoring catalog"
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(schema)
	return b.Bytes()
}
