// Package secret keeps credentials off the command line and out of
// messages: values written ${env:NAME} or ${file:PATH} are expanded along
// with a journey's variables ${name}, and every value that is secret is
// masked, in the forms a request carries it, in whatever is printed.
//
// Expansion is one pass over the text as written: a substituted value is
// never read for references again. A response that returns
// "${env:AWS_SECRET}" as a token stays that text; it cannot make the check
// send, or print, the environment's secret. A literal "${" is written "$${".
package secret

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// Mask is what a secret is printed as.
const Mask = "***"

// FileLimit caps a ${file:PATH} secret: a password or token file is small,
// and a path named by mistake (a log, a disk image) must not be read whole.
const FileLimit = 64 << 10

// Var is a journey variable: a value extracted from a response, or given
// by the caller. A secret one is masked once it has been substituted.
type Var struct {
	Value  string
	Secret bool
}

// Lookup returns the variable called name, or false when there is none.
type Lookup func(name string) (Var, bool)

// Map holds variables by name; its Lookup method is a Lookup.
type Map map[string]Var

// Lookup returns m[name].
func (m Map) Lookup(name string) (Var, bool) {
	v, ok := m[name]
	return v, ok
}

// Masker expands references and remembers the secret values so that they
// can be masked wherever text is printed. The zero Masker is ready to use
// and safe for concurrent use: the steps and targets of a run expand and
// print in parallel. A binary registers its secrets with Process, the
// masker everything it prints goes through.
type Masker struct {
	mu sync.RWMutex
	// whole holds the forms of secrets shorter than Run, masked only where
	// they occur whole.
	whole []string
	// runs holds every Run-byte stretch of every form of the longer
	// secrets: any Run bytes of such a form, wherever a cut or a quote
	// left them, are masked.
	runs map[uint64]struct{}
	// files holds what each ${file:PATH} read: a run reads a file once,
	// so that every step of a journey sends the value the run began
	// with, and a file rotated away or a mount that hangs later on stops
	// the run where its scenario is loaded (which names it), not in the
	// middle of a step.
	files map[string]string
}

// Run is the length of the shortest piece of a secret that is masked on
// its own: a secret of Run bytes or more is masked wherever Run bytes of
// it, in any of its forms, appear (a quote cut short, a prefix). A shorter
// secret is masked only where it appears whole.
const Run = 8

var process Masker

// Process is the masker of the whole process: the secrets of the command
// line, the environment and the run, which every text the binary prints
// (its message, its verbose lines, its stderr) is masked with.
func Process() *Masker { return &process }

// Expand is ExpandVars with no variables: any ${name} is an error.
func (m *Masker) Expand(s string) (string, error) { return m.ExpandVars(s, nil) }

// ExpandVars replaces, in one pass over s:
//
//   - ${env:NAME} with the environment variable NAME (mackerel-agent sets
//     it from the plugin's env table);
//   - ${file:PATH} with the file's content, trimmed of surrounding white
//     space (a regular file of at most FileLimit bytes);
//   - ${name} with the variable vars returns for name;
//   - $${ with a literal ${.
//
// Values from the environment and files, and variables marked Secret, are
// registered for masking. An unset variable, an unreadable file, an
// unknown ${...} and an unterminated ${ are errors naming the reference,
// never an empty value: a login that silently sends no password fails in
// confusing ways, and a typo must not be sent as text.
func (m *Masker) ExpandVars(s string, vars Lookup) (string, error) {
	return m.expand(s, vars, true)
}

// ExpandElsewhere is ExpandVars for text that another host will expand
// (frontline checking a catalog's scenario in CI): ${env:NAME} and
// ${file:PATH} are checked for their form and left as written, since the
// environment and the files are that host's; variables and $${ are
// expanded as ExpandVars does. Nothing is read, nothing registered.
func ExpandElsewhere(s string, vars Lookup) (string, error) {
	return new(Masker).expand(s, vars, false)
}

// expand is ExpandVars, reading ${env:} and ${file:} when read is set.
func (m *Masker) expand(s string, vars Lookup, read bool) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var secrets []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		if i > 0 && s[i-1] == '$' {
			// "$${" is a literal "${": drop the escaping dollar.
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated reference %q: close it with }, or write $${ for a literal ${", clip(s[i:]))
		}
		ref := s[i+2 : i+end]
		value, secret, err := m.resolve(ref, vars, read)
		if err != nil {
			return "", err
		}
		if secret {
			secrets = append(secrets, value)
		}
		b.WriteString(s[:i])
		b.WriteString(value)
		s = s[i+end+1:]
	}
	b.WriteString(s)
	for _, v := range secrets {
		m.Add(v)
	}
	return b.String(), nil
}

// resolve returns the value of one reference, the text between "${" and
// "}", and whether it is secret.
func (m *Masker) resolve(ref string, vars Lookup, read bool) (value string, secret bool, err error) {
	value, secret, err = m.lookup(ref, vars, read)
	if err != nil {
		// The reference is quoted in the error: whatever it holds (a
		// newline from a scenario's block scalar, an escape) stays on
		// one line.
		err = errors.New(textfmt.Sanitize(err.Error()))
	}
	return value, secret, err
}

func (m *Masker) lookup(ref string, vars Lookup, read bool) (value string, secret bool, err error) {
	kind, name, scoped := strings.Cut(ref, ":")
	if !scoped {
		if ref == "" {
			return "", false, errors.New("empty reference ${}: name a variable, ${env:NAME} or ${file:PATH}; write $${ for a literal ${")
		}
		if vars != nil {
			if v, ok := vars(ref); ok {
				return v.Value, v.Secret, nil
			}
		}
		return "", false, fmt.Errorf("undefined variable ${%s}: extract it in an earlier step, or use ${env:%s} for an environment variable; write $${ for a literal ${", ref, ref)
	}
	switch kind {
	case "env":
		if name == "" {
			return "", false, errors.New("${env:} names no variable: write ${env:NAME}")
		}
		if !read {
			return "${" + ref + "}", false, nil
		}
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", false, fmt.Errorf("${env:%s}: environment variable %s is not set (set it in the plugin's env in mackerel-agent.conf)", name, name)
		}
		return v, true, nil
	case "file":
		if name == "" {
			return "", false, errors.New("${file:} names no file: write ${file:PATH}")
		}
		if !read {
			return "${" + ref + "}", false, nil
		}
		m.mu.RLock()
		v, ok := m.files[name]
		m.mu.RUnlock()
		if ok {
			return v, true, nil
		}
		data, err := localfile.Read(name, FileLimit)
		if err != nil {
			return "", false, fmt.Errorf("${file:%s}: %v", name, err)
		}
		v = strings.TrimSpace(string(data))
		m.mu.Lock()
		if m.files == nil {
			m.files = make(map[string]string)
		}
		m.files[name] = v
		m.mu.Unlock()
		return v, true, nil
	}
	return "", false, fmt.Errorf("unknown reference ${%s}: use ${env:NAME}, ${file:PATH} or a variable ${name}; write $${ for a literal ${", clip(ref))
}

// clip shortens text quoted in an error: an unterminated reference may run
// to the end of a long body.
func clip(s string) string { return textfmt.Shorten(s, 40) }

// Add registers a secret value to be masked (an extracted token marked
// secret), together with every form a request or a response may carry it
// in (see forms).
func (m *Masker) Add(value string) {
	if value == "" {
		return
	}
	if len(value) > MaxPieces {
		// A request body from ${file:} may be tens of KiB: its pieces
		// in every form would cost tens of MiB. Its own pieces are
		// masked, its other forms whole.
		m.add(true, value)
		m.add(false, Forms(value)...)
		return
	}
	m.add(len(value) >= Run, Forms(value)...)
}

// MaxPieces is the longest secret whose Run-byte pieces are masked in
// every form; a longer one is masked by pieces only as it is.
const MaxPieces = 4 << 10

// AddBasicAuth registers the password of HTTP Basic authentication and
// the base64 of "user:pass" that the Authorization header carries, which
// masking the password alone would not catch. With no password the user
// name is the credential (a token given as https://TOKEN@host/): it is
// registered in its place.
func (m *Masker) AddBasicAuth(user, pass string) {
	if pass == "" {
		if user == "" {
			return
		}
		m.Add(user)
	} else {
		m.Add(pass)
	}
	pair := user + ":" + pass
	m.add(len(pair) >= Run, base64Forms(pair, false)...)
}

// MinCookieSecret is the shortest cookie value registered on its own by
// AddHeader (and a journey's cookie jar): shorter ones (lang=en, a consent
// flag) are not credentials, and masking them would garble every message
// that happens to contain them.
const MinCookieSecret = 8

// AddHeader registers the value of a request header that carries
// credentials (SecretHeader), whole and in the parts a server may echo on
// their own: the credentials after an Authorization scheme (and the
// password inside Basic's base64), and each cookie's value. Other headers
// register nothing.
func (m *Masker) AddHeader(name, value string) {
	if !SecretHeader(name) || value == "" {
		return
	}
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		scheme, creds, ok := strings.Cut(strings.TrimSpace(value), " ")
		if !ok {
			m.Add(value)
			return
		}
		// The scheme is no secret: pieces of "Bearer " are masked
		// only where the credentials follow.
		m.add(false, Forms(value)...)
		creds = strings.TrimSpace(creds)
		m.Add(creds)
		if strings.EqualFold(scheme, "Basic") {
			if b, err := base64.StdEncoding.DecodeString(creds); err == nil {
				if user, pass, ok := strings.Cut(string(b), ":"); ok {
					m.AddBasicAuth(user, pass)
				}
			}
		}
	case "cookie":
		// Cookie names and short flags are no secret: the header is
		// masked whole, its long values wherever they appear.
		m.add(false, Forms(value)...)
		for _, pair := range strings.Split(value, ";") {
			if _, v, ok := strings.Cut(pair, "="); ok && len(strings.TrimSpace(v)) >= MinCookieSecret {
				m.Add(strings.TrimSpace(v))
			}
		}
	default:
		m.Add(value)
	}
}

// SecretHeader reports whether a request or response header carries
// credentials, so that its value is printed as ***.
func SecretHeader(name string) bool {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	return false
}

// RedactHeader returns a header's value as it may be quoted: *** for a
// SecretHeader, and for a header that holds a URL (Location,
// Content-Location, Refresh's url=, Link) the value with its user info
// and token parameters hidden (RedactURL): a redirect's target may carry
// a password or a token no request of the run has sent yet. Other values
// are returned as they are.
func RedactHeader(name, value string) string {
	if SecretHeader(name) {
		return Mask
	}
	switch strings.ToLower(name) {
	case "location", "content-location", "refresh", "link":
		return RedactURL(value)
	}
	return value
}
