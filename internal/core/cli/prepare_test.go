package cli_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/frontline-sre/mackerel-frontline/internal/core/cli"
)

// worded is a plugin that words a shared flag's help its own way.
type worded struct{ fake }

func (*worded) FlagHelp() map[string]string {
	return map[string]string{"drill-file": "a drill, worded by the plugin"}
}

func TestFlagHelpRewordsASharedFlag(t *testing.T) {
	var out strings.Builder
	if _, err := cli.Parse(plugin, &worded{}, []string{"--help"}, &out); !errors.Is(err, cli.ErrDone) {
		t.Fatalf("--help: %v", err)
	}
	if !strings.Contains(out.String(), "a drill, worded by the plugin") || strings.Contains(out.String(), "report the status its first word names") {
		t.Errorf("--drill-file keeps the shared help:\n%s", out.String())
	}
}

// Prepare says what a run would say before it probes, and runs nothing.
func TestPrepareGivesTheUsageErrorOfARun(t *testing.T) {
	f := &fake{prepareErr: errors.New("-l needs a word")}
	err := cli.Prepare(context.Background(), plugin, f, []string{"-l", "x", "target"}, nil)
	code, out := runCheck(t, &fake{prepareErr: errors.New("-l needs a word")}, "-l", "x", "target")
	if err == nil || code != 3 || out != "FAKE UNKNOWN: "+err.Error()+"\n" {
		t.Errorf("Prepare: %v; the run: exit %d %q", err, code, out)
	}
	if f.ran || len(f.prepared) != 1 {
		t.Errorf("ran %v, prepared %q", f.ran, f.prepared)
	}
	if err := cli.Prepare(context.Background(), plugin, &fake{}, []string{"--bogus"}, nil); err == nil || !strings.Contains(err.Error(), "unknown flag --bogus") {
		t.Errorf("--bogus: %v", err)
	}
}
