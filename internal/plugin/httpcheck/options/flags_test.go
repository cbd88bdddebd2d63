package options

import (
	"reflect"
	"testing"
)

// Every flag the refusal table names is a flag of the command line: one
// that named none would never be refused, and would do nothing.
func TestOneRequestOnlyNamesFlags(t *testing.T) {
	for _, f := range oneRequestOnly {
		if _, ok := flagField(reflect.ValueOf(Flags{}), f.flag); !ok {
			t.Errorf("%s: no such flag in Flags", f.flag)
		}
	}
	if _, ok := flagField(reflect.ValueOf(Flags{}), "--no-such-flag"); ok {
		t.Error("--no-such-flag found")
	}
}
