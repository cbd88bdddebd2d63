package appmetrics

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-sre/mackerel-frontline/internal/core/localfile"
)

// stateFormat marks a state file as this plugin's, in this layout: a file
// of another format (an older version's, another plugin's) is discarded.
const stateFormat = "mackerel-plugin-app/1"

// maxState bounds the state file: a few dozen bytes per process watched.
const maxState = 8 << 20

// runState is what one run leaves for the next: the CPU time of every process
// of a group, keyed by PID and start time so that a PID reused by another
// process is not taken for the same one, and the host's CPU counters.
type runState struct {
	Format string `json:"format"`
	// Config is the hash of the configuration the file belongs to.
	Config string `json:"config"`
	// At is when the processes were read, in Unix nanoseconds.
	At int64 `json:"at"`
	// Boot is when the host booted, in Unix seconds: a state from before
	// a reboot is of other processes.
	Boot int64 `json:"boot"`
	// CPU is each process's processor time in nanoseconds, by procKey.
	CPU map[string]int64 `json:"cpu,omitempty"`
	// Host holds the host's CPU counters (total and idle ticks), when the
	// host context is graphed.
	Host *hostCPUTimes `json:"host,omitempty"`
}

// hostCPUTimes are the host's CPU counters, summed over every processor.
type hostCPUTimes struct {
	Total uint64 `json:"total"`
	Idle  uint64 `json:"idle"`
}

// procKey names a process across runs: a PID alone may be reused.
func procKey(pid int, startTicks uint64) string {
	return strconv.Itoa(pid) + ":" + strconv.FormatUint(startTicks, 10)
}

// stateFile is where the state of one configuration lives: in
// MACKEREL_PLUGIN_WORKDIR (as the agent's systemd unit sets it) or the OS
// temp dir, under a name that holds a hash of the configuration, so that
// two plugin entries with other targets do not read each other's.
func stateFile(configHash string) string {
	dir := os.Getenv("MACKEREL_PLUGIN_WORKDIR")
	if dir == "" {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "mackerel-plugin-app-"+configHash+".json")
}

// hashConfig identifies a configuration: the prefix and every target, in
// a canonical text.
func hashConfig(prefix string, s *targetSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "prefix %s\n", prefix)
	for _, t := range s.Process {
		fmt.Fprintf(&b, "process %s %s\n", t.Name, t.Select)
	}
	// TLS and HTTP targets keep no state, but two entries that differ
	// only in them are still two entries.
	for _, t := range s.TLS {
		fmt.Fprintf(&b, "tls %s %s %s\n", t.Name, t.Target.Label(), t.Target.Path)
	}
	for _, t := range s.HTTP {
		fmt.Fprintf(&b, "http %s %s\n", t.Name, t.URL)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// loadState reads the state at path for config. A missing file is no
// state and no error (a first run); a file that cannot be used is no
// state and an error saying why, for one line on stderr.
func loadState(path, config string) (*runState, error) {
	data, err := localfile.Read(path, maxState)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file %s discarded: %v", path, err)
	}
	st := &runState{}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("state file %s discarded: not a state file of this plugin (%v)", path, err)
	}
	switch {
	case st.Format != stateFormat:
		return nil, fmt.Errorf("state file %s discarded: format %q, want %q", path, st.Format, stateFormat)
	case st.Config != config:
		return nil, fmt.Errorf("state file %s discarded: it belongs to another configuration", path)
	case st.At <= 0 || st.Boot <= 0:
		return nil, fmt.Errorf("state file %s discarded: it says no time", path)
	}
	return st, nil
}

// saveState writes st to path atomically: a temporary file in the same
// folder, renamed over the old one, so that a run ended midway or two runs
// at once never leave half a file for the next.
func saveState(path string, st *runState) error {
	st.Format = stateFormat
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	opt := localfile.WriteOptions{Perm: 0o600}
	err = localfile.Replace(path, data, opt)
	if errors.Is(err, fs.ErrNotExist) {
		// MACKEREL_PLUGIN_WORKDIR names a folder nobody made: without
		// it no run would leave a state, and proc_cpu and
		// host.cpu_used would never print.
		if mkErr := os.MkdirAll(dir, 0o755); mkErr != nil {
			return fmt.Errorf("the state folder %s (MACKEREL_PLUGIN_WORKDIR) does not exist and could not be made (%v): proc_cpu and host.cpu_used need it; make it, writable by the agent's user", dir, mkErr)
		}
		err = localfile.Replace(path, data, opt)
	}
	if err != nil {
		return fmt.Errorf("state file %s: %v: proc_cpu and host.cpu_used need it", path, err)
	}
	return nil
}

// at is the state's time.
func (st *runState) at() time.Time { return time.Unix(0, st.At) }
