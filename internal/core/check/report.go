package check

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
	"github.com/mackerelio/checkers"
)

// MaxRunes bounds the whole message, trailing newline included. The agent
// cuts at 1,024 runes; staying under 1,000 leaves the cut to us, so the
// summary of what did not fit is never the part that gets lost.
const MaxRunes = 999

// Finding is one judged target, or one thing found wrong with it.
type Finding struct {
	Status Status
	Text   string
}

// Report is the outcome of one run of a check.
type Report struct {
	// Tag is the checkers Name that starts the first line: TLS, HTTP, PROCESS.
	Tag string
	// Findings are in command-line order. A healthy target contributes
	// exactly one OK finding; a sick one only its non-OK findings.
	Findings []Finding
	// OKVerdict is the first line when every finding is OK. It must be
	// stable from run to run: the agent re-sends an OK only when it changes.
	OKVerdict string
	// Noun names what an OK finding counts ("target", "group").
	Noun string
	// Verbose lists OK findings instead of counting them.
	Verbose bool
	// Drill, when set, overrides the status (see ReadDrill).
	Drill *Drill
	// Recovery, when set, is what automatic recovery already tried: it
	// ends the message, whatever the status, so the person paged does not
	// repeat it.
	Recovery string
}

// Status is the status the check exits with.
func (r *Report) Status() Status {
	status, _, _ := r.Drill.apply(r.realStatus(), "")
	return status
}

// realStatus is the status without the drill. A report without findings
// checked nothing: UNKNOWN, never an OK that would hide it.
func (r *Report) realStatus() Status {
	if len(r.Findings) == 0 {
		return UNKNOWN
	}
	w := OK
	for _, f := range r.Findings {
		w = Worst(w, f.Status)
	}
	return w
}

// Message is the whole text for stdout, without the trailing newline:
// `<TAG> <STATUS>: <verdict>` then detail lines, worst first, under
// MaxRunes, and last a note when a drill file was overruled or is stale.
// Every text that reaches it is sanitised on the way (see textfmt.Sanitize).
func (r *Report) Message() string {
	verdict, rest := r.lines()
	status, verdict, note := r.Drill.apply(r.realStatus(), verdict)
	first := (&checkers.Checker{Name: r.Tag, Status: status, Message: verdict}).String()
	if r.Recovery != "" {
		clause := textfmt.Shorten(textfmt.Sanitize(r.Recovery), recoveryRunes)
		if note == "" {
			note = clause
		} else {
			note += "\n" + clause
		}
	}
	return fit(r.Tag, first, rest, note)
}

// recoveryRunes bounds the recovery clause, so that it and a drill note
// fit the quarter of the message kept for the notes.
const recoveryRunes = 240

// NothingChecked is the verdict of a report without findings.
const NothingChecked = "nothing was checked"

type line struct {
	status Status
	text   string
	count  int // findings the line stands for: 1, or N for "N more targets"
}

// render writes a detail line. Non-OK lines carry the tag like the first
// line, so each reads on its own in a notification; the OK summary does not.
func (l line) render(tag string) string {
	if l.status == OK {
		return "OK: " + l.text
	}
	return tag + " " + l.status.String() + ": " + l.text
}

// lines splits the report into the verdict and the detail lines that
// follow it, the first of which may be a summary of OK findings.
func (r *Report) lines() (verdict string, rest []line) {
	if len(r.Findings) == 0 {
		return NothingChecked, nil
	}
	var bad, good []Finding
	for _, f := range r.Findings {
		f.Text = textfmt.Sanitize(f.Text)
		if f.Status == OK {
			good = append(good, f)
		} else {
			bad = append(bad, f)
		}
	}
	// Stable: ties keep command-line order, never completion order.
	sort.SliceStable(bad, func(i, j int) bool { return Worse(bad[i].Status, bad[j].Status) })

	if len(bad) == 0 {
		verdict = textfmt.Sanitize(r.OKVerdict)
	} else {
		verdict = bad[0].Text
		for _, f := range bad[1:] {
			rest = append(rest, line{f.Status, f.Text, 1})
		}
	}
	switch {
	case r.Verbose || len(bad) == 0 && len(good) > 0 && r.OKVerdict == "":
		for _, f := range good {
			rest = append(rest, line{OK, f.Text, 1})
		}
	case len(bad) > 0 && len(good) > 0:
		rest = append(rest, line{OK, fmt.Sprintf("%d more %s", len(good), textfmt.Plural(len(good), r.noun())), len(good)})
	}
	return verdict, rest
}

func (r *Report) noun() string {
	if r.Noun == "" {
		return "target"
	}
	return r.Noun
}

// fit joins the lines, replacing whatever does not fit under MaxRunes with
// one line that counts it by status. The note, when given, always ends
// the message.
func fit(tag, first string, rest []line, note string) string {
	budget := MaxRunes - 1 // the trailing newline
	if note == "" {
		return fitLines(tag, first, rest, budget)
	}
	note = textfmt.Shorten(note, budget/4)
	return fitLines(tag, first, rest, budget-1-utf8.RuneCountInString(note)) + "\n" + note
}

func fitLines(tag, first string, rest []line, budget int) string {
	first = textfmt.Shorten(first, budget/2)
	var b strings.Builder
	b.WriteString(first)
	used := utf8.RuneCountInString(first)
	for i, l := range rest {
		s := textfmt.Shorten(l.render(tag), budget/2)
		n := utf8.RuneCountInString(s) + 1
		// A line is written only if the "... and N more" line that may
		// have to follow it still fits: its length grows with the counts.
		room := 0
		if i < len(rest)-1 {
			room = 1 + utf8.RuneCountInString(summarizeTail(rest[i+1:]))
		}
		if used+n+room > budget {
			b.WriteString("\n")
			b.WriteString(summarizeTail(rest[i:]))
			return b.String()
		}
		b.WriteString("\n")
		b.WriteString(s)
		used += n
	}
	return b.String()
}

func summarizeTail(tail []line) string {
	counts := map[Status]int{}
	total := 0
	for _, l := range tail {
		counts[l.status] += l.count
		total += l.count
	}
	var parts []string
	var only Status
	for _, s := range []Status{CRITICAL, UNKNOWN, WARNING, OK} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
			only = s
		}
	}
	if len(parts) == 1 {
		return fmt.Sprintf("... and %d more %s", total, only)
	}
	return fmt.Sprintf("... and %d more (%s)", total, strings.Join(parts, ", "))
}
