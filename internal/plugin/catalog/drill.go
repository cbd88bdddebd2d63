package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
	"github.com/frontline-sre/mackerel-frontline/internal/core/textfmt"
)

// DrillError is a drill that cannot be written as asked.
type DrillError struct{ Msg string }

func (e *DrillError) Error() string { return e.Msg }

// WriteDrill writes the item's drill file, which its check reads at its
// next run: the status word, then the note. A drill ends by itself: the
// check stops obeying the file when it is older than the drill's maximum
// age, so the file's time is set for it to end after lasting.
func (c *Catalog) WriteDrill(it *Item, h Host, status, note string, lasting time.Duration, now time.Time) (string, error) {
	st, ok := check.ParseStatus(status)
	if !ok {
		return "", &DrillError{fmt.Sprintf("--status %q: give ok, warning, critical or unknown", status)}
	}
	maxAge := c.Defaults.DrillMaxAge
	if lasting == 0 {
		lasting = maxAge
	}
	if lasting < 0 || lasting > maxAge {
		return "", &DrillError{fmt.Sprintf("--for %s: a drill lasts at most drill_max_age %s, after which the check reports the file as stale", lasting, maxAge)}
	}
	// One line: the check reads the first line only, and a note must not
	// forge a line of its own.
	note = textfmt.Sanitize(strings.Join(strings.Fields(note), " "))
	if note == "" {
		note = "drill of " + it.CheckName()
	}
	path := it.DrillFile(h)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	content := strings.ToLower(st.String()) + " " + note + "\n"
	s, err := localfile.Stage(path, []byte(content), localfile.WriteOptions{Perm: 0o644})
	if err == nil {
		mtime := now.Add(lasting - maxAge)
		if err = os.Chtimes(s.Name(), mtime, mtime); err != nil {
			s.Discard()
		}
	}
	if err == nil {
		err = s.Commit()
	}
	if err != nil {
		return "", fmt.Errorf("writing drill file %s: %w", path, err)
	}
	return path, nil
}

// ClearDrill removes the item's drill file; an absent one is not an
// error, the drill has ended.
func ClearDrill(it *Item, h Host) (string, error) {
	path := it.DrillFile(h)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("removing drill file %s: %w", path, err)
	}
	return path, nil
}
