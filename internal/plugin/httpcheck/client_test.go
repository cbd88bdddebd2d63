package httpcheck

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// netClient is the journey's Client over net/http, with only what these
// tests need of the real probe: the jar, redirects, the body cap and the
// total time.
type netClient struct {
	jar http.CookieJar
	// sent records each request as sent, for assertions on what a
	// step put on the wire.
	sent []*http.Request
	body [][]byte
}

func (c *netClient) Do(ctx context.Context, r *httpprobe.Request) (*httpprobe.Response, error) {
	var redirects []*url.URL
	hc := &http.Client{
		Jar: c.jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if r.NoFollow {
				return http.ErrUseLastResponse
			}
			if len(via) > httpprobe.DefaultMaxRedirects {
				return errors.New("too many redirects")
			}
			redirects = append(redirects, via[len(via)-1].URL)
			return nil
		},
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	if r.Host != "" {
		req.Host = r.Host
	}
	c.sent = append(c.sent, req)
	c.body = append(c.body, r.Body)
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	max := r.MaxBody
	if max == 0 {
		max = httpprobe.DefaultMaxBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	truncated := int64(len(data)) > max
	if truncated {
		data = data[:max]
	}
	return &httpprobe.Response{
		URL: resp.Request.URL, Redirects: redirects,
		StatusCode: resp.StatusCode, Status: resp.Status, Proto: resp.Proto, Header: resp.Header,
		Body: data, Truncated: truncated,
		Timings: httpprobe.Timings{Total: time.Since(start)},
	}, nil
}
