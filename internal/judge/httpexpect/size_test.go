package httpexpect

import (
	"context"
	"strings"
	"testing"
)

// TestSizeCap: + and * keep their meaning under the size cap, in every
// place an expression may hold them, and fail once a value passes it.
func TestSizeCap(t *testing.T) {
	doc, err := DecodeJSON([]byte(`{"a":1,"b":"x","c":[1],"d":{"e":2}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{
		`.a + 1 == 2`,
		`(.a + 1) * 2 == 4`,
		`.b + "y" == "xy"`,
		`.b * 3 == "xxx"`,
		`.c + [2] == [1, 2]`,
		`.d * {"f": 3} == {"e": 2, "f": 3}`,
		`def inc: . + 1; (.a | inc) == 2`,
		`reduce range(3) as $i (0; . + $i) == 3`,
		`[.c[] | . + 1] == [2]`,
		`(.a += 1 | .a) == 2`,
		`{k: (.a + 1)}.k == 2`,
		`"\(.a + 1)" == "2"`,
		`if .a + 1 == 2 then true else false end`,
		`try (error("x") + 1) catch true`,
		`[limit(2; repeat(1))] | add == 2`,
	} {
		j, err := ParseJQ(expr)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if got, err := j.Eval(context.Background(), doc); got != "" || err != nil {
			t.Errorf("%s: got %q, %v", expr, got, err)
		}
	}
	for expr, want := range map[string]string{
		`reduce range(40) as $i ("x"; . + .) | length > 0`: "made a string of 16777216 bytes, past the cap of 8388608",
		`reduce range(40) as $i ([0]; . + .) | length > 0`: "made an array of 2097152 values, past the cap of 1048576",
		`"x" * 20000000 | length > 0`:                      "made a string of 20000000 bytes",
	} {
		j, err := ParseJQ(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		_, err = j.Eval(context.Background(), doc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", expr, err, want)
		}
	}
}
