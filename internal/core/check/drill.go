package check

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// DefaultDrillMaxAge is how long a drill file sets the status: long
// enough for a game day, short enough that one left behind is noticed the
// same day.
const DefaultDrillMaxAge = 2 * time.Hour

// drillLimit bounds what is read of a drill file: only its first line is
// used.
const drillLimit = 64 << 10

// Drill replaces a check's status so a team can rehearse the whole alert
// path on a real host by touching one file. The real verdict still travels
// in the message, and a drill never reports a status better than the real
// one: it can raise an alert, never hide one.
type Drill struct {
	Path   string
	Status Status
	// Note is the rest of the drill file's first line ("game day 3").
	Note string
	// Problem, when set, says why the drill file could not be used; the
	// status is then UNKNOWN, because a drill that silently does nothing
	// is a rehearsal nobody notices failing.
	Problem string
	// Stale means the file was last modified longer than MaxAge ago: a
	// drill left behind. It no longer sets the status; the check reports
	// the real verdict, at least WARNING, so that someone removes it.
	Stale       bool
	Age, MaxAge time.Duration
}

// ReadDrill reads a drill file. It returns nil when path is empty or the
// file does not exist: an absent drill file means "no drill". A file last
// modified more than maxAge ago is stale (maxAge 0: never).
func ReadDrill(path string, maxAge time.Duration) *Drill {
	if path == "" {
		return nil
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &Drill{Path: path, Status: UNKNOWN, Problem: fmt.Sprintf("drill file is unreadable: %v", err)}
	}
	// A file dated in the future (touch -d, a clock set wrong) would never
	// grow old enough to expire: it is stale at once. A minute's slack
	// allows for a network file system's clock.
	if age := time.Since(fi.ModTime()); fi.Mode().IsRegular() && maxAge > 0 && (age > maxAge || age < -time.Minute) {
		return &Drill{Path: path, Status: UNKNOWN, Stale: true, Age: age, MaxAge: maxAge}
	}
	data, err := localfile.Read(path, drillLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // removed since the stat: the drill has ended
	}
	if err != nil {
		return &Drill{Path: path, Status: UNKNOWN, Problem: fmt.Sprintf("drill file is unreadable: %v", err)}
	}
	return ParseDrill(path, data)
}

// ParseDrill reads the content of the drill file at path: a status word,
// then a note, on its first line.
func ParseDrill(path string, data []byte) *Drill {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	words := strings.Fields(string(first))
	if len(words) == 0 {
		return &Drill{Path: path, Status: UNKNOWN, Problem: fmt.Sprintf("drill file %s is empty: its first word must be ok, warning, critical or unknown", path)}
	}
	word := words[0]
	status, ok := ParseStatus(word)
	if !ok {
		return &Drill{Path: path, Status: UNKNOWN, Problem: fmt.Sprintf("drill file %s starts with %q: the first word must be ok, warning, critical or unknown", path, word)}
	}
	note := strings.TrimSpace(strings.TrimSpace(string(first))[len(word):])
	return &Drill{Path: path, Status: status, Note: note}
}

// apply decides what a report with this drill says: the status it exits
// with, the verdict on its first line, and a note for its last line. The
// real status always wins when it is worse (CRITICAL > UNKNOWN > WARNING
// > OK); then the message is the one without the drill, plus the note.
// The texts it adds are sanitised here; verdict already is.
func (d *Drill) apply(real Status, verdict string) (status Status, first, note string) {
	if d == nil {
		return real, verdict, ""
	}
	if d.Stale {
		why := fmt.Sprintf("last modified %s ago, over --drill-max-age %s", roughAge(d.Age), roughAge(d.MaxAge))
		if d.Age < 0 {
			why = "modified in the future"
		}
		text := fmt.Sprintf("stale drill file %s (%s) no longer sets the status: remove it", textfmt.Sanitize(d.Path), why)
		if real == OK {
			return WARNING, fmt.Sprintf("%s (real: %s %s)", text, real, verdict), ""
		}
		return Worst(real, WARNING), verdict, "[DRILL] " + text
	}
	if Worse(real, d.Status) {
		if d.Problem != "" {
			return real, verdict, fmt.Sprintf("[DRILL] %s; overruled: the real status is worse", textfmt.Sanitize(d.Problem))
		}
		return real, verdict, fmt.Sprintf("[DRILL] drill file %s says %s, overruled: the real status is worse", textfmt.Sanitize(d.Path), d.Status)
	}
	head := textfmt.Sanitize(d.Problem)
	if d.Problem == "" {
		head = "[DRILL]"
		if d.Note != "" {
			// The team's note is shortened, never the real verdict.
			head += " " + textfmt.Shorten(textfmt.Sanitize(d.Note), maxNoteRunes)
		}
	}
	return d.Status, fmt.Sprintf("%s (real: %s %s)", head, real, verdict), ""
}

// maxNoteRunes bounds a drill's note in the message, so that the real
// verdict after it always fits on the first line.
const maxNoteRunes = 120

// roughAge shows an age to the minute: "3h5m", "2h", "45m", "30s".
func roughAge(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}
