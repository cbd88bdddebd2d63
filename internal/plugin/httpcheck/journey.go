package httpcheck

import (
	"context"
	"fmt"
	"reflect"

	"github.com/frontline-sre/mackerel-frontline/internal/probe/httpprobe"
)

// oneRequestOnly are the flags that describe the one request of -u, each
// with what a scenario writes instead; the README's scenario reference
// lists the same. TestRequestOptionParity holds every flag to acting on a
// journey or being here.
var oneRequestOnly = []struct{ flag, instead string }{
	{"-m", "the method in each step: get: /path, post: /path, or method: with url:"},
	{"-H", "headers: {Name: value} at the top level or in a step"},
	{"-d", "body: in a step"},
	{"--body-file", `body: "${file:PATH}" in a step (a file of at most 64 KiB, sent trimmed of surrounding white space and masked as a secret)`},
	{"--content-type", "headers: {Content-Type: TYPE} in a step"},
	{"--user", "the user and password in base_url, https://USER:${env:PASSWORD}@host, for the steps that give a path; or headers: {Authorization: ...}"},
	{"-s", "status: under a step's expect:"},
	{"-p", "regex: under a step's expect:"},
	{"--invert-pattern", "not_regex: under a step's expect:"},
	{"--contains", "contains: under a step's expect:"},
	{"--jq", "jq: under a step's expect:"},
	{"--header-match", "header: {Name: RE} under a step's expect:"},
	{"-w", "max_time: under a step's expect:, with severity: warning on the step (every failure of that step is then WARNING)"},
	{"-c", "max_time: under a step's expect:"},
	{"--no-follow", "follow_redirects: false in a step"},
	{"--cert-warning", "cert_warning: at the top level (every step over TLS) or in a step"},
	{"--cert-critical", "cert_critical: at the top level (every step over TLS) or in a step"},
}

// flagField finds the field of the flag ("-m", "--body-file") in v, a
// go-flags struct, embedded structs included.
func flagField(v reflect.Value, flag string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if fv, ok := flagField(v.Field(i), flag); ok {
				return fv, true
			}
			continue
		}
		if short := f.Tag.Get("short"); short != "" && "-"+short == flag || "--"+f.Tag.Get("long") == flag {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// prepareJourney loads --scenario: every problem with it is a usage
// error found before any request is sent.
func (o *Options) prepareJourney(ctx context.Context) error {
	for _, f := range oneRequestOnly {
		if v, _ := flagField(reflect.ValueOf(o).Elem(), f.flag); !v.IsZero() {
			return fmt.Errorf("%s applies to one request (-u), not to --scenario: write %s", f.flag, f.instead)
		}
	}
	s, err := loadScenario(ctx, o.Scenario, o.masker)
	if err != nil {
		return err
	}
	// The request options that are not the steps' own apply to every
	// step, as they do to the one request of -u.
	var r httpprobe.Request
	if err := o.limits(&r); err != nil {
		return err
	}
	if o.MaxBody != nil {
		if err := s.SetMaxBody(r.MaxBody); err != nil {
			return err
		}
	}
	if o.MaxRedirects != nil {
		if err := s.SetMaxRedirects(r.MaxRedirects); err != nil {
			return err
		}
	}
	o.journey = s
	return nil
}
