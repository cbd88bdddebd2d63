package check

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Drill replaces a check's status so a team can rehearse the whole alert
// path on a real host by touching one file. The real verdict still travels
// in the message.
type Drill struct {
	Status Status
	// Note is the rest of the drill file's first line ("game day 3").
	Note string
	// Problem, when set, says why the drill file could not be used; the
	// status is then UNKNOWN, because a drill that silently does nothing
	// is a rehearsal nobody notices failing.
	Problem string
}

// ReadDrill reads a drill file. It returns nil when path is empty or the
// file does not exist: an absent drill file means "no drill".
func ReadDrill(path string) *Drill {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &Drill{Status: UNKNOWN, Problem: fmt.Sprintf("drill file is unreadable: %v", err)}
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	sc := bufio.NewScanner(bytes.NewReader(first))
	sc.Split(bufio.ScanWords)
	if !sc.Scan() {
		return &Drill{Status: UNKNOWN, Problem: fmt.Sprintf("drill file %s is empty: its first word must be ok, warning, critical or unknown", path)}
	}
	word := sc.Text()
	status, ok := ParseStatus(word)
	if !ok {
		return &Drill{Status: UNKNOWN, Problem: fmt.Sprintf("drill file %s starts with %q: the first word must be ok, warning, critical or unknown", path, word)}
	}
	note := strings.TrimSpace(strings.TrimSpace(string(first))[len(word):])
	return &Drill{Status: status, Note: note}
}

func (d *Drill) wrap(real Status, verdict string) string {
	if d.Problem != "" {
		return fmt.Sprintf("%s (real: %s %s)", d.Problem, real, verdict)
	}
	head := "[DRILL]"
	if d.Note != "" {
		head += " " + d.Note
	}
	return fmt.Sprintf("%s (real: %s %s)", head, real, verdict)
}
