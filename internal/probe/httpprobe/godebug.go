package httpprobe

import (
	"os"
	"strings"
)

// KeepHTTP2 drops http2client=0 from GODEBUG. mackerel-agent sets it in
// its own environment, for its own API client, and every plugin it starts
// inherits it: left there, an endpoint would be probed over HTTP/1.1 under
// the agent and over HTTP/2 from a shell, so a check and a graph would
// judge another protocol than the one users get. A plugin calls it before
// it builds its first Client: net/http reads the setting when a transport
// is first used, and the runtime passes os.Setenv("GODEBUG") on to it.
// --http1.1 (Protocol HTTP1) is the way to turn HTTP/2 off.
func KeepHTTP2() {
	godebug, ok := os.LookupEnv("GODEBUG")
	if !ok {
		return
	}
	var keep []string
	for _, kv := range strings.Split(godebug, ",") {
		if strings.TrimSpace(kv) != "http2client=0" {
			keep = append(keep, kv)
		}
	}
	os.Setenv("GODEBUG", strings.Join(keep, ","))
}
