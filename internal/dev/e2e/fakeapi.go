package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// FakeAPI stands in for the Mackerel API on loopback: it answers every call
// mackerel-agent makes and records what the agent sent.
type FakeAPI struct {
	// URL is the agent's apibase.
	URL string
	// HostID is the ID given to the host the agent registers.
	HostID string

	t     testing.TB
	mu    sync.Mutex
	calls []Call
	// monitors are the monitors as posted, by ID, in the order created:
	// what `mkr monitors` pulls, diffs and pushes against.
	monitors []map[string]any
	nextID   int
}

// Call is one request the agent made.
type Call struct {
	Method, Path, Query string
	Body                []byte
	// Faked is false for a request the fake does not know: the agent
	// got a 404, and the test should learn what it wanted.
	Faked bool
}

func (c Call) String() string {
	s := c.Method + " " + c.Path
	if c.Query != "" {
		s += "?" + c.Query
	}
	return s
}

// CheckReport is one entry of POST /api/v0/monitoring/checks/report.
type CheckReport struct {
	Source struct {
		Type   string `json:"type"`
		HostID string `json:"hostId"`
	} `json:"source"`
	Name                 string `json:"name"`
	Status               string `json:"status"`
	Message              string `json:"message"`
	OccurredAt           int64  `json:"occurredAt"`
	NotificationInterval uint   `json:"notificationInterval"`
	MaxCheckAttempts     uint   `json:"maxCheckAttempts"`
}

// GraphDef is one entry of POST /api/v0/graph-defs/create.
type GraphDef struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Unit        string `json:"unit"`
	Metrics     []struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
		IsStacked   bool   `json:"isStacked"`
	} `json:"metrics"`
}

// HostCheck is a check as the host's registration lists it: the memo
// travels here, not with the check reports.
type HostCheck struct {
	Name string `json:"name"`
	Memo string `json:"memo"`
}

// HostUpdate is the body of POST /api/v0/hosts (first start) or
// PUT /api/v0/hosts/ID (every start and every hour), reduced to what the
// tests look at.
type HostUpdate struct {
	Method           string      `json:"-"`
	Name             string      `json:"name"`
	CustomIdentifier string      `json:"customIdentifier"`
	Checks           []HostCheck `json:"checks"`
}

// NewFakeAPI starts the fake API; it stops with the test.
func NewFakeAPI(t testing.TB, hostID string) *FakeAPI {
	t.Helper()
	f := &FakeAPI{HostID: hostID, t: t}
	host := func(id, customIdentifier string) map[string]any {
		return map[string]any{"id": id, "name": "e2e-" + id, "status": "working", "customIdentifier": customIdentifier}
	}
	success := map[string]any{"success": true}
	mux := http.NewServeMux()
	// Every answer has a JSON body: the agent takes an empty 200 for an
	// error and retries.
	mux.HandleFunc("POST /api/v0/hosts", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]any{"id": hostID})
	})
	mux.HandleFunc("GET /api/v0/hosts/{id}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]any{"host": host(r.PathValue("id"), "")})
	})
	// custom_identifier checks file their reports under the host found
	// here; its ID is derived from the identifier so a test can tell them
	// apart.
	mux.HandleFunc("GET /api/v0/hosts", func(w http.ResponseWriter, r *http.Request) {
		ci := r.URL.Query().Get("customIdentifier")
		if ci == "" {
			reply(w, http.StatusOK, map[string]any{"hosts": []any{host(hostID, "")}})
			return
		}
		reply(w, http.StatusOK, map[string]any{"hosts": []any{host(CustomHostID(ci), ci)}})
	})
	mux.HandleFunc("PUT /api/v0/hosts/{id}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]any{"id": r.PathValue("id")})
	})
	mux.HandleFunc("POST /api/v0/hosts/{id}/status", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, success)
	})
	for _, p := range []string{"POST /api/v0/graph-defs/create", "POST /api/v0/monitoring/checks/report", "POST /api/v0/tsdb"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusOK, success)
		})
	}
	f.monitorRoutes(mux)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("fake API: reading %s %s: %v", r.Method, r.URL.Path, err)
		}
		// The handlers that keep what was sent read it again.
		r.Body = io.NopCloser(bytes.NewReader(body))
		_, pattern := mux.Handler(r)
		f.mu.Lock()
		f.calls = append(f.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, Faked: pattern != ""})
		f.mu.Unlock()
		if pattern == "" {
			reply(w, http.StatusNotFound, map[string]any{"error": map[string]string{"message": "not faked: " + r.Method + " " + r.URL.Path}})
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// CustomHostID is the host ID the fake gives the host of a custom_identifier.
func CustomHostID(customIdentifier string) string {
	return "custom-" + customIdentifier
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// Calls returns every request so far, in order.
func (f *FakeAPI) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Unfaked lists the requests the fake did not know, as "METHOD PATH".
func (f *FakeAPI) Unfaked() []string {
	var out []string
	for _, c := range f.Calls() {
		if !c.Faked {
			out = append(out, c.String())
		}
	}
	return out
}

// Bodies returns the bodies of the requests to method and path.
func (f *FakeAPI) Bodies(method, path string) [][]byte {
	var out [][]byte
	for _, c := range f.Calls() {
		if c.Method == method && c.Path == path {
			out = append(out, c.Body)
		}
	}
	return out
}

// CheckReports returns every check report, in the order they arrived.
func (f *FakeAPI) CheckReports() []CheckReport {
	var out []CheckReport
	for _, b := range f.Bodies(http.MethodPost, "/api/v0/monitoring/checks/report") {
		var payload struct {
			Reports []CheckReport `json:"reports"`
		}
		f.decode(b, &payload)
		out = append(out, payload.Reports...)
	}
	return out
}

// CheckReport returns the first report of the check name, if any.
func (f *FakeAPI) CheckReport(name string) (CheckReport, bool) {
	for _, r := range f.CheckReports() {
		if r.Name == name {
			return r, true
		}
	}
	return CheckReport{}, false
}

// LastCheckReport returns the latest report of the check name, if any.
func (f *FakeAPI) LastCheckReport(name string) (CheckReport, bool) {
	rs := f.CheckReports()
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Name == name {
			return rs[i], true
		}
	}
	return CheckReport{}, false
}

// GraphDefs returns every graph definition posted.
func (f *FakeAPI) GraphDefs() []GraphDef {
	var out []GraphDef
	for _, b := range f.Bodies(http.MethodPost, "/api/v0/graph-defs/create") {
		var defs []GraphDef
		f.decode(b, &defs)
		out = append(out, defs...)
	}
	return out
}

// CustomIdentifierLookups returns the identifiers the agent looked up
// hosts by (custom_identifier), in order.
func (f *FakeAPI) CustomIdentifierLookups() []string {
	var out []string
	for _, c := range f.Calls() {
		if c.Method != http.MethodGet || c.Path != "/api/v0/hosts" {
			continue
		}
		if q, err := url.ParseQuery(c.Query); err == nil && q.Get("customIdentifier") != "" {
			out = append(out, q.Get("customIdentifier"))
		}
	}
	return out
}

// HostUpdates returns the host's registration (POST) and updates (PUT), in
// order.
func (f *FakeAPI) HostUpdates() []HostUpdate {
	var out []HostUpdate
	for _, c := range f.Calls() {
		if !(c.Method == http.MethodPost && c.Path == "/api/v0/hosts" ||
			c.Method == http.MethodPut && c.Path == "/api/v0/hosts/"+f.HostID) {
			continue
		}
		u := HostUpdate{Method: c.Method}
		f.decode(c.Body, &u)
		out = append(out, u)
	}
	return out
}

// HostUpdated reports whether the agent has sent the update of the host
// (PUT) that every start sends, after the registration or the lookup.
func (f *FakeAPI) HostUpdated() bool {
	return slices.ContainsFunc(f.HostUpdates(), func(u HostUpdate) bool { return u.Method == http.MethodPut })
}

func (f *FakeAPI) decode(body []byte, v any) {
	if err := json.Unmarshal(body, v); err != nil {
		f.t.Errorf("fake API: the agent sent %T it cannot decode: %v\n%s", v, err, body)
	}
}

// Dump is the request log for failure messages: method, path and body,
// with the host's specs left out of host updates.
func (f *FakeAPI) Dump() string {
	var b strings.Builder
	for _, c := range f.Calls() {
		body := c.Body
		if c.Path == "/api/v0/hosts" && c.Method == http.MethodPost || c.Path == "/api/v0/hosts/"+f.HostID && c.Method == http.MethodPut {
			var u HostUpdate
			if json.Unmarshal(body, &u) == nil {
				body, _ = json.Marshal(u)
			}
		}
		fmt.Fprintf(&b, "%s %s\n", c, bytes.TrimSpace(body))
	}
	return b.String()
}

// monitorRoutes answers the monitor calls of `mkr monitors`: list, create,
// update and delete, keeping each monitor's JSON as sent plus its ID.
func (f *FakeAPI) monitorRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v0/monitors", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		reply(w, http.StatusOK, map[string]any{"monitors": append([]map[string]any{}, f.monitors...)})
	})
	mux.HandleFunc("POST /api/v0/monitors", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"message": err.Error()}})
			return
		}
		reply(w, http.StatusOK, f.AddMonitor(m))
	})
	mux.HandleFunc("PUT /api/v0/monitors/{id}", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"message": err.Error()}})
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, old := range f.monitors {
			if old["id"] == r.PathValue("id") {
				m["id"] = old["id"]
				f.monitors[i] = m
				reply(w, http.StatusOK, m)
				return
			}
		}
		reply(w, http.StatusNotFound, map[string]any{"error": map[string]string{"message": "no monitor " + r.PathValue("id")}})
	})
	mux.HandleFunc("DELETE /api/v0/monitors/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, old := range f.monitors {
			if old["id"] == r.PathValue("id") {
				f.monitors = slices.Delete(f.monitors, i, i+1)
				reply(w, http.StatusOK, old)
				return
			}
		}
		reply(w, http.StatusNotFound, map[string]any{"error": map[string]string{"message": "no monitor " + r.PathValue("id")}})
	})
}

// AddMonitor stores a monitor as Mackerel would, giving it an ID, and
// returns it.
func (f *FakeAPI) AddMonitor(m map[string]any) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	m["id"] = fmt.Sprintf("mon%04d", f.nextID)
	f.monitors = append(f.monitors, m)
	return m
}

// Monitors returns the monitors stored, in the order created.
func (f *FakeAPI) Monitors() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.monitors...)
}
