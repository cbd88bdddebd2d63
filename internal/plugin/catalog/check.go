package catalog

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/recovery"
	"github.com/frontline-sre/mackerel-frontline/internal/core/secret"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/frontline-sre/mackerel-frontline/internal/core/threshold"
	"github.com/frontline-sre/mackerel-frontline/internal/plugin/httpcheck/scenariofile"
)

// Check returns everything wrong with the catalog, loading findings
// included, in file and line order.
func (c *Catalog) Check() []Finding {
	f := append([]Finding(nil), c.Findings...)
	add := func(p Pos, format string, args ...any) {
		f = append(f, Finding{p, fmt.Sprintf(format, args...)})
	}
	if len(c.Services) == 0 && len(c.Findings) == 0 {
		add(c.defaultsAt(""), "the catalog lists no services: write services: with at least one")
	}
	d := c.Defaults
	if d.CheckInterval%time.Minute != 0 {
		add(c.defaultsAt("check_interval"), "check_interval %s: the agent runs checks every whole minute (1m, 5m)", d.CheckInterval)
	}
	if d.Timeout >= d.CheckInterval {
		add(c.defaultsAt("timeout"), "timeout %s is not under check_interval %s: a run would still be going when the next starts", d.Timeout, d.CheckInterval)
	}
	checkNames := map[string]*Item{}
	for _, s := range c.Services {
		if strings.TrimSpace(s.Owner) == "" {
			add(s.Pos, "service %s has no owner: say who is mentioned when it fires (owner: \"@shop-team\")", s.Name)
		}
		if strings.TrimSpace(s.Runbook) == "" {
			add(s.Pos, "service %s has no runbook: give the link a responder opens (runbook: https://...)", s.Name)
		} else if u, err := url.Parse(s.Runbook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add(s.At("runbook"), "runbook %q is not a link: write https://...", s.Runbook)
		}
		if len(s.Roles) == 0 && len(s.Items) > 0 {
			add(s.Pos, "service %s has no roles: its checks would run on no host; list the roles (roles: [web])", s.Name)
		}
		for _, r := range s.Roles {
			if !validName(r.Name) {
				add(r.Pos, "role name %q: use letters, digits, - and _", r.Name)
			}
			if !slices.ContainsFunc(s.Items, func(it *Item) bool { return it.RunsOn(r.Name) }) {
				add(r.Pos, "role %s:%s runs no item: remove it, or give an item roles: [%s]", s.Name, r.Name, r.Name)
			}
		}
		for _, it := range s.Items {
			if prev, ok := checkNames[it.CheckName()]; ok {
				add(it.Pos, "check name %s is also the name of the item at %s: rename one", it.CheckName(), prev.Pos)
			}
			checkNames[it.CheckName()] = it
			f = append(f, c.checkItem(it)...)
		}
		for _, kind := range Kinds {
			for _, m := range s.Metrics[kind] {
				f = append(f, c.checkMetric(s, kind, m)...)
			}
		}
	}
	// A finding quotes what the file says: one finding stays one line.
	for i := range f {
		f[i].Msg = textfmt.Sanitize(f[i].Msg)
	}
	slices.SortStableFunc(f, func(a, b Finding) int {
		if a.Pos.File != b.Pos.File {
			return slices.Index(c.Files, a.Pos.File) - slices.Index(c.Files, b.Pos.File)
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
	return f
}

func (c *Catalog) defaultsAt(key string) Pos {
	if p, ok := c.Defaults.pos[key]; ok {
		return p
	}
	if len(c.Files) > 0 {
		return Pos{c.Files[0], 1, 1}
	}
	return Pos{"catalog", 1, 1}
}

func (c *Catalog) checkItem(it *Item) []Finding {
	var f []Finding
	refusedAlready := false
	add := func(p Pos, format string, args ...any) {
		f = append(f, Finding{p, fmt.Sprintf(format, args...)})
	}
	s := it.Service
	if strings.TrimSpace(it.Action) == "" {
		add(it.Pos, "%s item %s alerts but has no action: say what the person paged does first", it.Kind, it.Name)
	}
	if n := utf8.RuneCountInString(it.Memo()); n > MaxMemo {
		add(it.At("action"), "the memo of %s (owner, action, runbook) is %d characters, over Mackerel's %d: shorten the action and move the detail to the runbook", it.CheckName(), n, MaxMemo)
	}
	for _, r := range it.Roles {
		if !slices.ContainsFunc(s.Roles, func(n Named) bool { return n.Name == r.Name }) {
			add(r.Pos, "role %s is not a role of service %s: add it to the service's roles", r.Name, s.Name)
		}
	}
	st := c.Settings(it)
	if it.CheckInterval > 0 && it.CheckInterval%time.Minute != 0 {
		add(it.At("check_interval"), "check_interval %s: the agent runs checks every whole minute (1m, 5m)", it.CheckInterval)
	}
	// Defaults that clash are reported once, at the defaults.
	if st.Timeout >= st.CheckInterval && (it.Timeout > 0 || it.CheckInterval > 0) {
		p := it.At("timeout")
		if it.Timeout == 0 {
			p = it.At("check_interval")
		}
		add(p, "timeout %s is not under check_interval %s of %s: a run would still be going when the next starts", st.Timeout, st.CheckInterval, it.CheckName())
	}
	for _, a := range it.Args {
		name, _, _ := strings.Cut(a, "=")
		switch name {
		case "-t", "--timeout":
			add(it.At("args"), "args: %s is set from timeout:; write timeout: instead", name)
		case "--drill-file", "--drill-max-age":
			add(it.At("args"), "args: %s is set by frontline (drill_dir, drill_max_age)", name)
		}
	}
	switch it.Kind {
	case TLS:
		switch {
		case it.Target == "" && it.File == "":
			add(it.Pos, "tls item %s watches nothing: give target: HOST[:PORT] or file: PATH", it.Name)
		case it.Target != "" && it.File != "":
			add(it.At("file"), "tls item %s has both target: and file:: give one per item", it.Name)
		case it.Target != "":
			if err := checkTarget(it.Target); err != nil {
				add(it.At("target"), "target: %v", err)
			}
		}
		f = append(f, checkExpiry(it, "warning", it.Warning, "critical", it.Critical)...)
	case HTTP:
		switch {
		case it.URL == "" && it.Scenario == "":
			add(it.Pos, "http item %s watches nothing: give url: or scenario:", it.Name)
		case it.URL != "" && it.Scenario != "":
			add(it.At("scenario"), "http item %s has both url: and scenario:: a journey names its URLs in its file", it.Name)
		case it.URL != "":
			if u, err := url.Parse(it.URL); err != nil {
				add(it.At("url"), "url %q is not an http:// or https:// URL: %s", secret.RedactURL(it.URL), secret.ParseError(it.URL, err))
			} else if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add(it.At("url"), "url %q is not an http:// or https:// URL", secret.RedactURL(it.URL))
			}
		default:
			f = append(f, checkScenario(it)...)
		}
		if it.Scenario != "" && len(it.Headers) > 0 {
			add(it.At("headers"), "headers: apply to url: only; a journey sets its headers in its file")
		}
		if it.Scenario != "" {
			oneRequest := checkJourneyKeys(it)
			f = append(f, oneRequest...)
			// The plugin would refuse the flags those keys become, in
			// words of flags the catalog never wrote.
			refusedAlready = len(oneRequest) > 0
		}
		f = append(f, checkDurations(it)...)
		f = append(f, checkExpiry(it, "cert_warning", it.CertWarning, "cert_critical", it.CertCritical)...)
		if it.External {
			f = append(f, checkExternal(it)...)
		}
	case Process:
		if it.groups() == 0 {
			add(it.Pos, "process item %s selects nothing: give select: {name: ...} (or pattern, exe, pidfile, systemd_unit)", it.Name)
		}
		lt := func(a, b *int, an, bn string) {
			if a != nil && b != nil && *a > *b {
				add(it.At(an), "%s %d is over %s %d: CRITICAL must be the further from normal", an, *a, bn, *b)
			}
		}
		lt(it.CriticalUnder, it.WarningUnder, "critical_under", "warning_under")
		lt(it.WarningOver, it.CriticalOver, "warning_over", "critical_over")
		if it.WarningUnder != nil && it.WarningOver != nil && *it.WarningUnder > *it.WarningOver+1 {
			add(it.At("warning_under"), "warning_under %d and warning_over %d leave no count that is OK", *it.WarningUnder, *it.WarningOver)
		}
	}
	if err := c.parsed(it).err; err != nil && !refusedAlready {
		add(it.Pos, "%s would refuse the arguments of %s: %v", PluginOf(it.Kind).Command(), it.CheckName(), err)
	}
	if it.Recover != nil {
		f = append(f, checkRecover(it)...)
	}
	f = append(f, checkSecrets(it)...)
	return f
}

func checkTarget(t string) error {
	shown := secret.RedactURL(t)
	if strings.Contains(t, "://") {
		u, err := url.Parse(t)
		if err != nil || u.Host == "" {
			return fmt.Errorf("%q is not a URL", shown)
		}
		t = u.Host
		if u.Port() == "" {
			return nil
		}
	} else if at := strings.LastIndex(t, "@"); at >= 0 {
		// User info is refused in check-tls-expiry's words (see
		// checkItem). Split at its colon, "user:password@host" would read
		// as a host and a port that is the password; and a host has no
		// "/", so a "/" before the "@" is the password's too.
		shown, t = secret.Mask+t[at:], t[at+1:]
	}
	host, port, err := net.SplitHostPort(t)
	if err != nil {
		if strings.Count(t, ":") > 1 && !strings.HasPrefix(t, "[") {
			return fmt.Errorf("%q: write an IPv6 address in brackets, [::1]:443", shown)
		}
		host, port = t, ""
	}
	if host == "" {
		return fmt.Errorf("%q names no host", shown)
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q: port %s is not from 1 to 65535", shown, port)
		}
	}
	return nil
}

func checkExpiry(it *Item, wk, w, ck, cr string) []Finding {
	var f []Finding
	var we, ce threshold.Expiry
	var err error
	okW, okC := w != "", cr != ""
	if okW {
		if we, err = threshold.ParseExpiry(w); err != nil {
			f = append(f, Finding{it.At(wk), wk + ": " + err.Error()})
			okW = false
		}
	}
	if okC {
		if ce, err = threshold.ParseExpiry(cr); err != nil {
			f = append(f, Finding{it.At(ck), ck + ": " + err.Error()})
			okC = false
		}
	}
	if okW && okC {
		if err := threshold.CheckOrder(we, ce); err != nil {
			f = append(f, Finding{it.At(ck), fmt.Sprintf("%s %s is more than %s %s: CRITICAL must be the fewer days left", ck, cr, wk, w)})
		}
	}
	return f
}

func checkDurations(it *Item) []Finding {
	var f []Finding
	var wd, cd time.Duration
	for _, t := range []struct {
		key, v string
		d      *time.Duration
	}{{"warning", it.Warning, &wd}, {"critical", it.Critical, &cd}} {
		if t.v == "" {
			continue
		}
		d, err := parseDuration(t.v)
		if err != nil || d <= 0 {
			f = append(f, Finding{it.At(t.key), fmt.Sprintf("%s %q is not a response time: write 2s, 500ms or seconds", t.key, t.v)})
			continue
		}
		*t.d = d
	}
	if wd > 0 && cd > 0 && wd > cd {
		f = append(f, Finding{it.At("critical"), fmt.Sprintf("critical %s is under warning %s: CRITICAL must be the slower response", it.Critical, it.Warning)})
	}
	return f
}

// checkExternal finds what Mackerel's external monitor cannot do of an
// item marked external: it runs on Mackerel's side, with no host's files
// or environment.
func checkExternal(it *Item) []Finding {
	var f []Finding
	add := func(p Pos, format string, args ...any) {
		f = append(f, Finding{p, fmt.Sprintf(format, args...)})
	}
	at := it.At("external")
	if it.Scenario != "" {
		add(at, "external: a journey cannot be an external monitor; give the external monitor its own url: item")
	}
	if len(it.Contains) > 1 {
		add(it.At("expect.contains"), "external: Mackerel's external monitor checks one contains string, not %d", len(it.Contains))
	}
	if len(it.Pattern) > 0 || len(it.JQ) > 0 {
		add(at, "external: Mackerel's external monitor cannot check expect.pattern or expect.jq; keep them on a host check without external:")
	}
	if it.Status != "" {
		if _, err := strconv.Atoi(it.Status); err != nil {
			add(it.At("expect.status"), "external: Mackerel's external monitor expects one status code, not %q", it.Status)
		}
	}
	for _, h := range it.Headers {
		if refPattern.MatchString(h.Value) {
			add(h.Pos, "external: header %s comes from %s, which Mackerel cannot read: drop external:, or the header", h.Name, refPattern.FindString(h.Value))
		}
	}
	for _, t := range []struct{ key, v string }{{"cert_warning", it.CertWarning}, {"cert_critical", it.CertCritical}} {
		if t.v == "" {
			continue
		}
		if _, ok := wholeDays(t.v); !ok {
			add(it.At(t.key), "external: Mackerel's external monitor counts certificate expiry in whole days, not %q", t.v)
		}
	}
	return f
}

// wholeDays reads an expiry threshold written as whole days.
func wholeDays(s string) (uint64, bool) {
	n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(s), "d"), 10, 32)
	return n, err == nil
}

func checkRecover(it *Item) []Finding {
	var f []Finding
	rc := it.Recover
	if strings.TrimSpace(rc.Run) == "" && !rc.EventBridge {
		f = append(f, Finding{rc.Pos, "recover: give run: the command that heals " + it.CheckName()})
	}
	if rc.AtMost == "" {
		f = append(f, Finding{rc.Pos, "recover: give at_most: how often it may run (3/h)"})
	} else if _, err := recovery.ParseBudget(rc.AtMost); err != nil {
		// The action's own reading: what it would refuse on every
		// CRITICAL is refused here.
		f = append(f, Finding{rc.Pos, "recover.at_most " + err.Error()})
	}
	return f
}

// checkScenario checks the item's scenario file as check-http-e2e reads
// and loads it, but for the values of its ${env:} and ${file:} references, which
// are the host's: a problem in the file is a finding at its line and
// column there, one the file as a whole has (unreadable, empty, too big)
// at the item's scenario: key.
func checkScenario(it *Item) []Finding {
	p := it.Scenario
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(it.Pos.File), p)
	}
	data, err := localfile.Read(p, scenariofile.FileLimit)
	if err != nil {
		return []Finding{{it.At("scenario"), fmt.Sprintf("scenario %s does not load: %v", it.Scenario, err)}}
	}
	_, err = scenariofile.Check(p, data)
	var e *scenariofile.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e) && e.Line > 0:
		return []Finding{{Pos{File: p, Line: e.Line, Col: max(e.Col, 1)}, e.Msg + " (scenario of http item " + it.Name + ")"}}
	case errors.As(err, &e):
		return []Finding{{it.At("scenario"), fmt.Sprintf("scenario %s does not load: %s", it.Scenario, e.Msg)}}
	}
	return []Finding{{it.At("scenario"), fmt.Sprintf("scenario %s does not load: %v", it.Scenario, err)}}
}

// journeyKeys are the keys of an http item that describe its one request:
// a journey item writes them in its scenario file instead.
var journeyKeys = []struct{ key, instead string }{
	{"method", "a journey's methods go in its file's steps (get: /path, post: /path)"},
	{"expect", "a journey's expectations go in its file's steps (expect: in a step)"},
	{"warning", "a journey's time limits go in its file's steps (max_time: under a step's expect:, with severity: warning)"},
	{"critical", "a journey's time limits go in its file's steps (max_time: under a step's expect:)"},
	{"cert_warning", "a journey's certificate thresholds go in its file (cert_warning: at its top level or in a step)"},
	{"cert_critical", "a journey's certificate thresholds go in its file (cert_critical: at its top level or in a step)"},
	{"no_follow", "a journey's redirects are set in its file's steps (follow_redirects: false)"},
}

// checkJourneyKeys finds the one-request keys of a journey item, in the
// catalog's words: the flags they become would be refused beside
// --scenario, and method: would be dropped.
func checkJourneyKeys(it *Item) []Finding {
	var f []Finding
	for _, k := range journeyKeys {
		if p, ok := it.pos[k.key]; ok {
			f = append(f, Finding{p, fmt.Sprintf("http item %s has scenario: and %s:: %s", it.Name, k.key, k.instead)})
		}
	}
	return f
}

func (c *Catalog) checkMetric(s *Service, kind Kind, m Named) []Finding {
	it := s.Item(kind, m.Name)
	if it == nil {
		return []Finding{{m.Pos, fmt.Sprintf("metrics.%s names %s, which is not a %s item of service %s", kind, m.Name, kind, s.Name)}}
	}
	if _, err := metricTarget(it); err != nil {
		return []Finding{{m.Pos, fmt.Sprintf("metrics.%s %s: %v", kind, m.Name, err)}}
	}
	return nil
}

// metricTarget is what mackerel-plugin-app's config takes for the item.
func metricTarget(it *Item) (string, error) {
	switch it.Kind {
	case TLS:
		if it.File != "" {
			return "file:" + it.File, nil
		}
		t := it.Target
		if strings.Contains(t, "://") {
			u, err := url.Parse(t)
			if err != nil || u.Scheme != "https" && u.Scheme != "tls" {
				return "", fmt.Errorf("mackerel-plugin-app graphs HOST[:PORT] and https:// targets, not %q", t)
			}
			t = u.Host
		}
		return t, nil
	case HTTP:
		if it.Scenario != "" {
			return "", fmt.Errorf("mackerel-plugin-app graphs one URL, not a journey")
		}
		if (it.Method != "" && it.Method != "GET") || len(it.Headers) > 0 {
			return "", fmt.Errorf("mackerel-plugin-app sends a plain GET: an item with method: or headers: cannot be graphed")
		}
		return it.URL, nil
	case Process:
		s := it.Select
		switch {
		case s.Name != "":
			return "name:" + s.Name, nil
		case s.SystemdUnit != "":
			return "unit:" + s.SystemdUnit, nil
		case s.Pattern != "":
			return s.Pattern, nil
		}
		return "", fmt.Errorf("mackerel-plugin-app selects processes by name, pattern or systemd_unit, not by pidfile or exe alone")
	}
	return "", fmt.Errorf("no metrics for %s", it.Kind)
}

// refPattern is a secret reference the plugins expand on the host.
var refPattern = regexp.MustCompile(`\$\{(env|file):[^}]+\}`)

// tokenPattern matches credentials recognisable by their form alone.
var tokenPattern = regexp.MustCompile(`\b(AKIA[0-9A-Z]{16}|xox[abposr]-[0-9A-Za-z-]{10,}|gh[pousr]_[0-9A-Za-z]{30,}|glpat-[0-9A-Za-z_-]{20,}|sk_live_[0-9A-Za-z]{16,}|eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,})`)

// checkSecrets finds credentials written into the catalog, which a Git
// history keeps for ever: they belong in ${env:NAME} or ${file:PATH},
// which the plugins read on the host.
func checkSecrets(it *Item) []Finding {
	var f []Finding
	add := func(p Pos, what string) {
		f = append(f, Finding{p, what + " is written in the catalog: use ${env:NAME} or ${file:PATH}, set on the host, and rotate the secret, which the Git history keeps"})
	}
	literal := func(v string) bool {
		rest := strings.TrimSpace(refPattern.ReplaceAllString(v, ""))
		rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rest, "Bearer"), "Basic"))
		return rest != "" && !refPattern.MatchString(v)
	}
	for _, h := range it.Headers {
		if secretHeaderName(h.Name) && literal(h.Value) {
			add(h.Pos, "the value of header "+h.Name)
		}
	}
	for _, key := range []string{"url", "target"} {
		v := it.URL
		if key == "target" {
			v = it.Target
		}
		if v == "" {
			continue
		}
		if pw, ok := urlPassword(v); ok && literal(pw) {
			add(it.At(key), "the password in "+key)
		}
		if u, err := url.Parse(v); err == nil {
			for name, vals := range u.Query() {
				for _, val := range vals {
					if secretParam(name) && literal(val) {
						add(it.At(key), "the query parameter "+name+" of "+key)
					}
				}
			}
		}
	}
	for i := 0; i < len(it.Args); i++ {
		name, value, inline := strings.Cut(it.Args[i], "=")
		if !inline && i+1 < len(it.Args) {
			value = it.Args[i+1]
		}
		switch name {
		case "--user":
			if _, pw, ok := strings.Cut(value, ":"); ok && literal(pw) {
				add(it.At("args"), "the password in args --user")
			}
		case "-H", "--header":
			if hn, hv, ok := strings.Cut(value, ":"); ok && secretHeaderName(strings.TrimSpace(hn)) && literal(hv) {
				add(it.At("args"), "the value of header "+strings.TrimSpace(hn)+" in args")
			}
		}
	}
	if it.Recover != nil {
		recoverSecrets(it.Recover, add)
	}
	for key, v := range map[string]string{"action": it.Action, "args": strings.Join(it.Args, " "), "url": it.URL} {
		if tokenPattern.MatchString(v) {
			add(it.At(key), "a token in "+key)
		}
	}
	for _, h := range it.Headers {
		if tokenPattern.MatchString(h.Value) && !secretHeaderName(h.Name) {
			add(h.Pos, "a token in header "+h.Name)
		}
	}
	return f
}

// runHeader and runUser find the credentials a recovery command may carry:
// a header given to curl or wget, and curl's --user/-u.
var (
	runHeader = regexp.MustCompile(`(?i)\b(authorization|proxy-authorization|cookie|[a-z0-9-]*(?:token|secret|api-?key)[a-z0-9-]*)\s*:\s*(?:bearer\s+|basic\s+)?([^\s'"]+)`)
	runUser   = regexp.MustCompile(`(?:^|\s)(?:--user|-u)[=\s]+['"]?[^\s:'"]+:([^\s'"]+)`)
)

// recoverSecrets finds credentials written into a recovery command: the
// command is in the catalog, the generated agent file and, shortened, in
// the check's message. A reference (${env:NAME}, or the shell's $NAME)
// is not one.
func recoverSecrets(rc *Recover, add func(Pos, string)) {
	literal := func(v string) bool { return !strings.HasPrefix(v, "$") }
	for _, m := range runHeader.FindAllStringSubmatch(rc.Run, -1) {
		if literal(m[2]) {
			add(rc.Pos, "the value of header "+m[1]+" in recover.run")
		}
	}
	for _, m := range runUser.FindAllStringSubmatch(rc.Run, -1) {
		if literal(m[1]) {
			add(rc.Pos, "the password in recover.run")
		}
	}
	for _, u := range secret.URLsIn(rc.Run) {
		if pw, ok := urlPassword(u); ok && literal(pw) {
			add(rc.Pos, "the password in a URL in recover.run")
		}
		if q := strings.IndexAny(u, "?#"); q >= 0 {
			for _, param := range strings.FieldsFunc(u[q+1:], func(r rune) bool { return r == '&' || r == ';' || r == '#' }) {
				if name, v, _ := strings.Cut(param, "="); v != "" && secretParam(name) && literal(v) {
					add(rc.Pos, "the query parameter "+name+" of a URL in recover.run")
				}
			}
		}
	}
	if tokenPattern.MatchString(rc.Run) {
		add(rc.Pos, "a token in recover.run")
	}
}

// urlPassword returns the password of a URL's user info, or of a target
// written without a scheme ("user:password@host"). A URL that does not
// parse (a password with an unescaped "/" or "?") and a target are read
// by hand, their user info taken up to the last "@": a password is no
// less written in the catalog for breaking the URL.
func urlPassword(s string) (string, bool) {
	i := strings.Index(s, "://")
	if u, err := url.Parse(s); err == nil && (i >= 0 || u.User != nil) {
		return u.User.Password()
	}
	authority := s
	if i >= 0 {
		authority = s[i+3:]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return "", false
	}
	_, pw, ok := strings.Cut(authority[:at], ":")
	return pw, ok
}

func secretHeaderName(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	return secretParam(n)
}

func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"password", "passwd", "token", "secret", "apikey", "api-key", "api_key", "signature", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return n == "key" || strings.HasSuffix(n, "-key") || strings.HasSuffix(n, "_key")
}
