// Package secret keeps credentials off the command line and out of
// messages: values written ${env:NAME} or ${file:PATH} are expanded, and
// every value that came from them is masked in whatever is printed.
package secret

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Mask is what a secret is printed as.
const Mask = "***"

// Masker expands secret references and remembers their values so that
// they can be masked wherever text is printed.
type Masker struct {
	values []string
}

// Expand replaces every ${env:NAME} with the environment variable NAME
// (mackerel-agent sets it from the plugin's env table) and every
// ${file:PATH} with the file's content, trimmed of surrounding white space.
// Other ${...} text is left alone for the caller (scenario variables). An
// unset variable or an unreadable file is an error, not an empty value: a
// login that silently sends no password fails in confusing ways.
func (m *Masker) Expand(s string) (string, error) {
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			break
		}
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			break
		}
		ref := s[start+2 : start+end]
		kind, name, _ := strings.Cut(ref, ":")
		var value string
		switch kind {
		case "env":
			v, ok := os.LookupEnv(name)
			if !ok {
				return "", fmt.Errorf("${env:%s}: environment variable %s is not set (set it in the plugin's env in mackerel-agent.conf)", name, name)
			}
			value = v
		case "file":
			data, err := os.ReadFile(name)
			if err != nil {
				return "", fmt.Errorf("${file:%s}: %v", name, err)
			}
			value = strings.TrimSpace(string(data))
		default:
			value = "${" + ref + "}"
		}
		if kind == "env" || kind == "file" {
			m.add(value)
		}
		b.WriteString(s[:start])
		b.WriteString(value)
		s = s[start+end+1:]
	}
	b.WriteString(s)
	return b.String(), nil
}

// Add registers a value to be masked (an extracted token marked secret).
func (m *Masker) Add(value string) { m.add(value) }

func (m *Masker) add(value string) {
	if value == "" {
		return
	}
	for _, v := range m.values {
		if v == value {
			return
		}
	}
	m.values = append(m.values, value)
}

// Mask replaces every registered value in s with ***. Where two values
// overlap ("abcd" and "cdef" in "abcdef"), the whole stretch they cover is
// masked, so no fragment of either is left.
func (m *Masker) Mask(s string) string {
	if len(m.values) == 0 {
		return s
	}
	covered := make([]bool, len(s))
	any := false
	for _, v := range m.values {
		for from := 0; ; {
			i := strings.Index(s[from:], v)
			if i < 0 {
				break
			}
			for k := from + i; k < from+i+len(v); k++ {
				covered[k] = true
			}
			any = true
			from += i + 1
		}
	}
	if !any {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !covered[i] {
			b.WriteByte(s[i])
			continue
		}
		b.WriteString(Mask)
		for i+1 < len(s) && covered[i+1] {
			i++
		}
	}
	return b.String()
}

// RedactURL hides a URL's user info, which may hold a password:
// "postgres://***@db:5432". Text that does not parse is redacted by hand,
// since it is most likely to be quoted in an error.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err == nil {
		if u.User == nil {
			return s
		}
		u.User = url.User(Mask)
		// url escapes the mask as %2A%2A%2A; show it as written.
		return strings.Replace(u.String(), u.User.String()+"@", Mask+"@", 1)
	}
	scheme := strings.Index(s, "://")
	at := strings.LastIndex(s, "@")
	if scheme >= 0 && at > scheme {
		return s[:scheme+3] + Mask + s[at:]
	}
	return s
}
