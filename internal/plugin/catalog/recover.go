package catalog

import (
	"fmt"
	"path"
	"strconv"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/check"
)

// RecoverPlugin is the host side of recover:. mkr plugin install installs
// only check-* and mackerel-plugin-* executables, so the action is a
// plugin of its own rather than a mode of frontline.
const RecoverPlugin = "mackerel-plugin-frontline-recover"

// recoverTimeout is the deadline of one recovery command: a service
// restart, with room for a slow stop. The agent's own timeout for the
// action leaves the action time to kill the command's process group and
// record the attempt.
const recoverTimeout = 30 * time.Second

// Recovers reports whether the agent runs a recovery action for the item
// on its own hosts.
func (it *Item) Recovers() bool {
	return it.Recover != nil && it.Recover.Run != "" && !it.Recover.EventBridge
}

// RecoveryState is where the item's recovery records its attempts on a
// host: beside its drill file, on a disk that survives a reboot, so the
// budget does too.
func (it *Item) RecoveryState(h Host) string {
	return path.Join(h.DrillDir, it.CheckName()+".recovery")
}

// RecoverAction is the command of the item's agent action.
func (c *Catalog) RecoverAction(it *Item, h Host) []string {
	st := c.Settings(it)
	a := []string{
		path.Join(h.PluginDir, RecoverPlugin),
		"--run", it.Recover.Run,
		"--at-most", it.Recover.AtMost,
		"--attempts", strconv.Itoa(max(1, st.MaxCheckAttempts)),
		"--state", it.RecoveryState(h),
		"--drill-file", it.DrillFile(h),
	}
	if c.Defaults.DrillMaxAge != check.DefaultDrillMaxAge {
		a = append(a, "--drill-max-age", c.Defaults.DrillMaxAge.String())
	}
	return append(a, "-t", recoverTimeout.String())
}

// recoverTOML is the item's action line of the agent configuration.
func (c *Catalog) recoverTOML(it *Item, h Host) string {
	return fmt.Sprintf("action = { command = %s, timeout_seconds = %d }\n", tomlArray(c.RecoverAction(it, h)), int((recoverTimeout + 10*time.Second).Seconds()))
}
