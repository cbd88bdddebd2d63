package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ExternalMonitor is an external URL monitor as the Mackerel API and
// `mkr monitors` take it: the fields and JSON names of mackerel-client-go's
// MonitorExternalHTTP (its package also holds an HTTP client, which
// frontline does not link; a test holds the two in step).
type ExternalMonitor struct {
	ID                              string        `json:"id,omitempty"`
	Name                            string        `json:"name,omitempty"`
	Memo                            string        `json:"memo,omitempty"`
	Type                            string        `json:"type,omitempty"`
	IsMute                          bool          `json:"isMute,omitempty"`
	NotificationInterval            uint64        `json:"notificationInterval,omitempty"`
	Method                          string        `json:"method,omitempty"`
	URL                             string        `json:"url,omitempty"`
	MaxCheckAttempts                uint64        `json:"maxCheckAttempts,omitempty"`
	Service                         string        `json:"service,omitempty"`
	ResponseTimeCritical            *float64      `json:"responseTimeCritical,omitempty"`
	ResponseTimeWarning             *float64      `json:"responseTimeWarning,omitempty"`
	ResponseTimeDuration            *uint64       `json:"responseTimeDuration,omitempty"`
	RequestBody                     string        `json:"requestBody,omitempty"`
	ContainsString                  string        `json:"containsString,omitempty"`
	CertificationExpirationCritical *uint64       `json:"certificationExpirationCritical,omitempty"`
	CertificationExpirationWarning  *uint64       `json:"certificationExpirationWarning,omitempty"`
	SkipCertificateVerification     bool          `json:"skipCertificateVerification,omitempty"`
	FollowRedirect                  bool          `json:"followRedirect,omitempty"`
	ExpectedStatusCode              *int          `json:"expectedStatusCode,omitempty"`
	Headers                         []HeaderField `json:"headers"`
}

// HeaderField is one header an external monitor sends.
type HeaderField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MonitorName is the stable name of an item's external monitor: the one
// `mkr monitors` matches existing monitors by.
func (it *Item) MonitorName() string {
	return monitorPrefix + it.Service.Name + " " + it.Name
}

// Monitors returns the external monitors of every item marked external.
func (c *Catalog) Monitors() []ExternalMonitor {
	out := []ExternalMonitor{}
	for _, s := range c.Services {
		for _, it := range s.Items {
			if it.Kind != HTTP || !it.External || it.URL == "" {
				continue
			}
			m := ExternalMonitor{
				Name:             it.MonitorName(),
				Memo:             it.Memo(),
				Type:             "external",
				Method:           orDefault(strings.ToUpper(it.Method), "GET"),
				URL:              it.URL,
				MaxCheckAttempts: uint64(c.Settings(it).MaxCheckAttempts),
				Service:          s.Name,
				FollowRedirect:   !it.NoFollow,
				Headers:          []HeaderField{},
			}
			if len(it.Contains) > 0 {
				m.ContainsString = it.Contains[0]
			}
			if code, err := strconv.Atoi(it.Status); err == nil {
				m.ExpectedStatusCode = &code
			}
			if ms, ok := millis(it.Warning); ok {
				m.ResponseTimeWarning = &ms
			}
			if ms, ok := millis(it.Critical); ok {
				m.ResponseTimeCritical = &ms
			}
			if m.ResponseTimeWarning != nil || m.ResponseTimeCritical != nil {
				// The average over one minute: the plugins judge each
				// response on its own.
				one := uint64(1)
				m.ResponseTimeDuration = &one
			}
			if d, ok := wholeDays(it.CertWarning); ok {
				m.CertificationExpirationWarning = &d
			}
			if d, ok := wholeDays(it.CertCritical); ok {
				m.CertificationExpirationCritical = &d
			}
			for _, h := range it.Headers {
				m.Headers = append(m.Headers, HeaderField{h.Name, h.Value})
			}
			out = append(out, m)
		}
	}
	return out
}

func millis(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	d, err := parseDuration(s)
	if err != nil || d <= 0 {
		return 0, false
	}
	return float64(d.Milliseconds()), true
}

// MonitorsJSON is monitors.json as `mkr monitors diff|push -F` reads it.
func (c *Catalog) MonitorsJSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	enc.Encode(map[string]any{"monitors": c.Monitors()})
	return b.Bytes()
}

// MergeMonitors puts the catalog's monitors into monitors pulled from
// Mackerel (`mkr monitors pull`): the monitors frontline does not name
// are kept as they are, since `mkr monitors push` deletes every monitor
// its file lacks; the catalog's take the ID of the pulled monitor of the
// same name, so that a push updates it instead of adding a second.
func (c *Catalog) MergeMonitors(pulled []byte) ([]byte, error) {
	var in struct {
		Monitors []json.RawMessage `json:"monitors"`
	}
	if err := json.Unmarshal(pulled, &in); err != nil {
		return nil, fmt.Errorf("not a monitors file of mkr monitors pull: %v", err)
	}
	ids := map[string]string{}
	out := []any{}
	for _, raw := range in.Monitors {
		var head struct{ ID, Name string }
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, fmt.Errorf("a monitor of the pulled file: %v", err)
		}
		if strings.HasPrefix(head.Name, monitorPrefix) {
			ids[head.Name] = head.ID
			continue
		}
		out = append(out, raw)
	}
	for _, m := range c.Monitors() {
		m.ID = ids[m.Name]
		out = append(out, m)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(map[string]any{"monitors": out}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// monitorPrefix starts the name of every monitor the catalog owns.
const monitorPrefix = "frontline "
