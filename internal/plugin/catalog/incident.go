package catalog

import (
	"fmt"
	"strings"
	"time"
)

// Incident is an incident record for a service, filled from the catalog:
// who owns it, what fired, what to do, and the sections a responder fills
// in as it goes. item may be nil (a service-wide incident); message, when
// empty, is the item's example alert.
func (c *Catalog) Incident(s *Service, it *Item, message string, now time.Time) []byte {
	var b strings.Builder
	title := s.Name
	if it != nil {
		title += " " + string(it.Kind) + " " + it.Name
	}
	fmt.Fprintf(&b, "# Incident: %s\n\n", title)
	fmt.Fprintf(&b, "- Service: %s\n- Owner: %s\n- Runbook: %s\n", s.Name, mdText(s.Owner), s.Runbook)
	if it != nil {
		fmt.Fprintf(&b, "- Check: `%s` (%s)\n", it.CheckName(), it.where())
		if message == "" {
			message = c.ExampleMessage(it)
		}
	}
	if message != "" {
		fmt.Fprintf(&b, "\n## Alert\n\n```\n%s\n```\n", strings.ReplaceAll(message, "```", "'''"))
	}
	b.WriteString("\n## What to do\n\n")
	items := s.Items
	if it != nil {
		items = []*Item{it}
	}
	for _, x := range items {
		fmt.Fprintf(&b, "- %s %s: %s\n", x.Kind, x.Name, mdText(x.Action))
	}
	fmt.Fprintf(&b, "\nThe runbook: %s\n", s.Runbook)
	at := now.UTC().Format("2006-01-02 15:04 MST")
	fmt.Fprintf(&b, "\n## Timeline (UTC)\n\n- Detected: %s\n- Acknowledged: \n- Mitigated: \n- Resolved: \n", at)
	b.WriteString("\n## Impact\n\n- Who was affected: \n- For how long: \n- What they could not do: \n")
	b.WriteString("\n## Communication\n\n- Incident channel: \n- Status page: \n- Updates sent at: \n")
	b.WriteString("\n## Retrospective\n\n- [ ] Timeline complete, with the times from Mackerel\n- [ ] Root cause written down\n- [ ] The alert fired early enough, and said what was wrong\n- [ ] The action and runbook were right; catalog updated if not\n- [ ] Follow-up work filed, each with an owner\n")
	return []byte(b.String())
}
