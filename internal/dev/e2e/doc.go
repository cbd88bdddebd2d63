// Package e2e runs the documentation's mackerel-agent.conf examples (each
// plugin's README, and docs/) under the real mackerel-agent and checks what
// reaches Mackerel, so that what an SRE copies from a README is what was
// tested.
//
// The test installs mackerel-agent at AgentVersion (cached between runs),
// starts a fake Mackerel API on loopback, and builds one agent config from
// every block of a Markdown file of the module marked
//
//	<!-- agent-test: NAME -->
//	```toml
//	[plugin.checks.NAME]
//	command = ["/opt/mackerel-agent/plugins/bin/check-…", "-H", "www.example.com"]
//	...
//	```
//
// Each block is used verbatim except for substitutions (see Runnable): the
// install folder /opt/mackerel-agent/plugins/bin/ becomes the folder of the
// freshly built plugins, each example address the scenario names becomes
// the address of a loopback fixture, and what cannot run here as written
// (an action's `systemctl reload nginx`, a state file under /var/lib)
// becomes something the test can observe. A scenario may run its block
// several times under other check names, one copy per situation (the
// reload action with and without a renewal on disk). One agent then runs
// all the blocks together; each scenario asserts what the fake API
// recorded, and what the actions did.
//
// To cover a new plugin:
//
//  1. Put the marker line right above its toml block in the plugin's
//     README.md (every plugin's README needs at least one). Use
//     example.com names for its targets: the test refuses to run a command
//     line that still names one, as the lookup would leave the machine.
//  2. Add an entry to the scenarios table in agent_test.go: a function that
//     starts the fixtures (ServeLocalhost makes them reachable as
//     localhost:PORT), maps each example address of the block to a fixture,
//     says when everything it needs has arrived (ready; an action has
//     finished when the agent logs `Checker "NAME" action stdout:`), and
//     asserts it
//     (check) from what FakeAPI recorded: CheckReport, GraphDefs,
//     HostUpdates; metric values come from Once (see below). For a check, checkReportSource and checkMemo hold what
//     every check block promises; a block of one check that is ready once
//     it has reported is a reportedCheck, whose check is given the report
//     already held to the block. A marked block without a scenario, or a
//     scenario without a block, fails the test.
//
// The fake API also answers the lookup behind custom_identifier
// (CustomIdentifierLookups lists them), filing such a check's reports under
// CustomHostID(identifier); the agent leaves those checks out of the host's
// own check list, memo included.
//
// Timing shapes what a scenario can wait for. The agent reports a non-OK
// check within about a second, and sends graph definitions of metric
// plugins at start; but it posts the first OK check report and the first
// metric values only after about a minute. Fixtures that make a check WARNING
// or CRITICAL keep the run short; metric values are better read from
// `mackerel-agent once -conf FILE`, which runs the metric plugins once and
// prints what the agent parsed. With every check non-OK, the agent's part
// takes well under a second, and the whole test a few seconds once the
// agent and the plugins are built (the first run builds the agent from
// source, which takes longer).
package e2e
