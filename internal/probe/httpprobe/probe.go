// Package httpprobe sends one HTTP request the way a user's client would and
// says how long each phase took: name resolution, connect, TLS, the wait for
// the first byte and the body, summed over every redirect followed. Both the
// HTTP check and the metric plugin's http_time graphs come from it, so an
// alert and a graph of the same endpoint always agree.
//
// It links net/http and the TLS verifier, nothing heavier: assertions over
// the response (jq, scenarios) live in the packages of their plugin.
package httpprobe

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/certchain"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpreq"
	"github.com/frontline-sre/mackerel-frontline/internal/probe/netdial"
)

// DefaultMaxBody is how much of a body is read when Request.MaxBody is zero.
const DefaultMaxBody = 1 << 20

// DefaultMaxRedirects is how many redirects are followed when
// Request.MaxRedirects is zero.
const DefaultMaxRedirects = 10

// Protocol is the HTTP version a Client may speak.
type Protocol int

const (
	// Negotiate offers HTTP/2 over TLS by ALPN and falls back to HTTP/1.1.
	Negotiate Protocol = iota
	HTTP1              // HTTP/1.1 only
	HTTP2              // HTTP/2 only (over TLS by ALPN, h2c over cleartext)
)

// ConnectTo sends connections meant for Host:Port to ToHost:ToPort instead,
// leaving the Host header and the TLS server name as they were (curl's
// --connect-to; --resolve is the same with an address for ToHost). An
// empty Host or zero Port matches any.
type ConnectTo struct {
	Host   string
	Port   int
	ToHost string
	ToPort int
}

// Options configure a Client: everything about how it reaches servers.
type Options struct {
	Resolver  netdial.Resolver // nil is the system's
	Family    netdial.Family
	ConnectTo []ConnectTo
	SourceIP  netip.Addr // zero lets the system choose
	// Proxy, when set, is used for every request; otherwise HTTP_PROXY,
	// HTTPS_PROXY and NO_PROXY are honoured.
	Proxy    *url.URL
	Protocol Protocol

	// Insecure skips certificate and name verification.
	Insecure   bool
	Trust      *certchain.Trust // extra anchors (--ca-file)
	ClientCert *tls.Certificate

	// Jar keeps cookies across the requests of a journey; nil keeps none.
	Jar http.CookieJar
	// Deadline ends every dial at that time whatever the context passed
	// in says (net/http detaches dials from the request's context).
	Deadline time.Time
}

// Request is one request and what to do with its response.
type Request struct {
	Method string
	URL    string
	Header http.Header
	// Host, when set, is the Host header sent (the URL still says where
	// to connect).
	Host string
	Body []byte

	// NoFollow returns the first response even when it is a redirect.
	NoFollow bool
	// MaxRedirects is how many redirects are followed before the
	// request fails; zero is DefaultMaxRedirects.
	MaxRedirects int
	// MaxBody is how much of the final body is read; zero is
	// DefaultMaxBody. A longer body is cut, not an error.
	MaxBody int64
	// Secrets, when set, is told every URL a redirect leads to before it
	// is requested, so that the caller can keep what it carries (user
	// info sent as basic auth, a token in its query or fragment) out of
	// what it prints: the page it leads to may repeat them.
	Secrets func(rawURL string)
}

// Timings are the phases of a request, each summed over every hop of its
// redirects. A phase that did not happen (a reused connection, plain
// HTTP) is zero.
type Timings struct {
	DNS, Connect, TLS, TTFB, Body time.Duration
	// Total is the whole request, first byte sent to last byte read,
	// redirects included.
	Total time.Duration
}

// Response is the final response of a request.
type Response struct {
	// URL is where the final response came from; Redirects are the URLs
	// that redirected to it, in order (empty when none was followed).
	URL       *url.URL
	Redirects []*url.URL

	StatusCode int
	// Status is the status line as received: "200 OK".
	Status string
	Proto  string // "HTTP/1.1", "HTTP/2.0"
	Header http.Header
	// Downgrade, when set, is a redirect from https:// to http:// that
	// was followed without the request's credentials.
	Downgrade *Downgrade

	Body []byte
	// Truncated says the body was longer than MaxBody and was cut there.
	Truncated bool

	// PeerCertificates are what the server of the final response
	// presented over TLS (nil over plain HTTP), for expiry judgement.
	PeerCertificates []*x509.Certificate
	// Chain is what decides the endpoint's certificate expiry: the
	// verified chain, leaf to anchor, or the certificates as presented
	// when verification is off or failed (certchain.Select).
	Chain []certchain.Cert
	// RedirectChains are, in order, the chains of the responses over TLS
	// that redirected to this one, each decided as Chain is: users who
	// type https://example.com meet its certificate before the one of
	// the www page it sends them to.
	RedirectChains []RedirectChain
	Timings        Timings
}

// RedirectChain is the certificate chain of a redirect's response.
type RedirectChain struct {
	From  *url.URL // the URL that answered with the redirect
	Chain []certchain.Cert
}

// MaxBodyLimit is the most Request.MaxBody may be (httpreq.CheckMaxBody).
const MaxBodyLimit = httpreq.MaxBodyLimit
