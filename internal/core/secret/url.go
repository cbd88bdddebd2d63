package secret

import (
	"errors"
	"net/url"
	"strings"
)

// RedactURL hides what in a URL may be a credential before the URL is
// quoted: its user info ("postgres://***@db:5432") and the values of
// secret-looking query and fragment parameters ("?password=***", see
// SecretParam). Text that does not parse as a URL, or has no scheme, is
// redacted by hand, as widely as it might hold user info, since it is the
// text most likely to be quoted in an error. Everything else is left as
// written.
func RedactURL(s string) string {
	rest := s
	var head string
	i := strings.Index(s, "://")
	relative := strings.HasPrefix(s, "//")
	if relative {
		// Scheme-relative ("//user:pass@host/path"), as a Location may
		// be: the authority follows the "//" whatever comes after it.
		i = -1
	}
	switch {
	case i >= 0 && strings.Contains(s[:i], "@"):
		// User info before the "://": a scheme lost to a typo. Nothing
		// here parses as intended, so anything up to the last "@" may be
		// a password.
		at := strings.LastIndex(s, "@")
		head, rest = Mask, s[at:]
	case i < 0 && !relative:
		// A URL typed without a scheme ("user:pass@host"): what precedes
		// an "@" in the part that would be the authority may be a
		// password. When that part has a ":" ("user:pa/ss@host"), a "/",
		// "?" or "#" may be the password's, so anything up to the last
		// "@" may be.
		authority := s
		if end := strings.IndexAny(s, "/?#"); end >= 0 && !strings.Contains(s[:end], ":") {
			authority = s[:end]
		}
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			head, rest = Mask, s[at:]
		}
	default:
		n := i + len("://")
		if relative {
			n = len("//")
		}
		head, rest = s[:n], s[n:]
		var at int
		if _, err := url.Parse(s); err == nil {
			// The authority ends at the first "/", "?" or "#"; its user info
			// at the last "@" within it.
			authority := rest
			if end := strings.IndexAny(rest, "/?#"); end >= 0 {
				authority = rest[:end]
			}
			at = strings.LastIndex(authority, "@")
		} else {
			// A password with an unescaped "/", "?" or "#" breaks the
			// parse: anything up to the last "@" may be part of it.
			at = strings.LastIndex(rest, "@")
		}
		if at >= 0 {
			head += Mask
			rest = rest[at:]
		}
	}
	if q := strings.IndexAny(rest, "?#"); q >= 0 {
		rest = rest[:q] + redactParams(rest[q:])
	}
	return head + rest
}

// ParseError says why url.Parse refused s, to quote beside RedactURL(s).
// url.Parse's reasons quote pieces of the text (`invalid port ":Zq9v"
// after host`); where the text has an "@", a "/", "?" or "#" in a
// password may have ended the authority early, and the piece quoted be
// the password's start. Then only the fix is given.
func ParseError(s string, err error) string {
	if strings.Contains(s, "@") {
		return "percent-encode the user info (/ as %2F, ? as %3F, # as %23, @ as %40, space as %20)"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// redactParams masks secret parameter values in a URL's query and
// fragment, given from the "?" or "#" on; the fragment counts because an
// OAuth implicit flow returns "#access_token=...".
func redactParams(s string) string {
	var b strings.Builder
	eachParam(s, func(delim byte, param string, secret bool) {
		b.WriteByte(delim)
		if secret {
			name, _, _ := strings.Cut(param, "=")
			param = name + "=" + Mask
		}
		b.WriteString(param)
	})
	return b.String()
}

// eachParam calls f with each parameter of a query and fragment given
// from the "?" or "#" on: the delimiter before it, the parameter as
// written, and whether it has a value that SecretParam hides.
func eachParam(s string, f func(delim byte, param string, secret bool)) {
	for s != "" {
		// s starts with a delimiter: "?", "#", "&" or ";".
		delim := s[0]
		s = s[1:]
		end := strings.IndexAny(s, "&;#")
		if end < 0 {
			end = len(s)
		}
		param := s[:end]
		name, value, ok := strings.Cut(param, "=")
		f(delim, param, ok && value != "" && SecretParam(unescape(name)))
		s = s[end:]
	}
}

// AddURL registers what in a URL is a credential, as RedactURL hides it
// in the URL itself, so that it is masked where a server echoes it too:
// the password of its user info (and the Basic credentials made of it),
// and the values of secret-looking query and fragment parameters, as
// written and unescaped.
func (m *Masker) AddURL(s string) {
	if u, err := url.Parse(s); err == nil {
		if u.User != nil {
			pass, _ := u.User.Password()
			m.AddBasicAuth(u.User.Username(), pass)
		}
	} else if i := strings.Index(s, "://"); i >= 0 {
		// A password with an unescaped "/", "?" or "#" breaks the
		// parse; as RedactURL hides it, the user info runs to the last
		// "@".
		if at := strings.LastIndex(s[i+3:], "@"); at >= 0 {
			user, pass, _ := strings.Cut(s[i+3:i+3+at], ":")
			m.AddBasicAuth(user, pass)
		}
	}
	if q := strings.IndexAny(s, "?#"); q >= 0 {
		eachParam(s[q:], func(_ byte, param string, secret bool) {
			if !secret {
				return
			}
			_, value, _ := strings.Cut(param, "=")
			m.Add(value)
			if v, err := url.QueryUnescape(value); err == nil {
				m.Add(v)
			}
		})
	}
}

// URLsIn returns the URLs written in s, a shell command or a message:
// each from its scheme to the white space or quote that ends the word,
// wherever the word starts ("--url=https://...", "U='https://...'").
func URLsIn(s string) []string {
	var urls []string
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			return urls
		}
		start := i
		for start > 0 && schemeByte(s[start-1]) {
			start--
		}
		// A scheme starts with a letter.
		for start < i && !('a' <= s[start]|0x20 && s[start]|0x20 <= 'z') {
			start++
		}
		end := strings.IndexAny(s[i:], " \t\r\n'\"")
		if end < 0 {
			end = len(s)
		} else {
			end += i
		}
		if start < i {
			urls = append(urls, s[start:end])
		}
		s = s[end:]
	}
}

func schemeByte(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

func unescape(name string) string {
	if n, err := url.QueryUnescape(name); err == nil {
		return n
	}
	return name
}

// secretWords are parameter names, and last words of parameter names,
// that carry credentials.
var secretWords = map[string]bool{
	"password": true, "passwd": true, "pass": true, "pwd": true,
	"token": true, "access_token": true,
	"key": true, "apikey": true, "api_key": true,
	"secret": true, "sig": true, "signature": true,
	"credential": true, "credentials": true, "auth": true,
}

// secretSuffixes end camel-case names such as accessToken or clientSecret;
// the short words (key, sig, pass) are not among them, so that "monkey" or
// "bypass" is left alone.
var secretSuffixes = []string{"password", "passwd", "token", "secret", "signature", "apikey"}

// SecretParam reports whether a query parameter called name carries a
// credential: password, passwd, pass, pwd, token, access_token, key,
// apikey, api_key, secret, sig, signature, credential(s) and auth, in any
// case, alone or as the last word of a longer name (client_secret,
// X-Amz-Signature, private-token, accessToken).
func SecretParam(name string) bool {
	n := strings.ToLower(name)
	if secretWords[n] {
		return true
	}
	if i := strings.LastIndexAny(n, "_-."); i >= 0 && secretWords[n[i+1:]] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}
