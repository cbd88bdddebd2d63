package check

import "testing"

func TestWorse(t *testing.T) {
	// From most to least severe: a status a responder could not judge
	// ranks above a warning.
	order := []Status{CRITICAL, UNKNOWN, WARNING, OK}
	for i, a := range order {
		for j, b := range order {
			if got, want := Worse(a, b), i < j; got != want {
				t.Errorf("Worse(%v, %v) = %v, want %v", a, b, got, want)
			}
		}
	}
}

func TestWorst(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Status
		want Status
	}{
		{"none", nil, OK},
		{"one", []Status{WARNING}, WARNING},
		{"unknown above warning", []Status{WARNING, UNKNOWN, OK}, UNKNOWN},
		{"critical above unknown", []Status{UNKNOWN, CRITICAL, WARNING}, CRITICAL},
		{"all ok", []Status{OK, OK}, OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Worst(tc.in...); got != tc.want {
				t.Errorf("Worst(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Status
		ok   bool
	}{
		{"ok", OK, true},
		{"OK", OK, true},
		{"Warning", WARNING, true},
		{"CRITICAL", CRITICAL, true},
		{"unknown", UNKNOWN, true},
		{"crit", UNKNOWN, false},
		{"", UNKNOWN, false},
		{" ok", UNKNOWN, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseStatus(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseStatus(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestStatusIsExitCode(t *testing.T) {
	for s, want := range map[Status]int{OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3} {
		if int(s) != want {
			t.Errorf("int(%v) = %d, want %d", s, int(s), want)
		}
	}
}
