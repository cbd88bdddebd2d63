module github.com/frontline-sre/mackerel-frontline

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/goccy/go-yaml v1.18.0
	github.com/itchyny/gojq v0.12.17
	github.com/jessevdk/go-flags v1.6.1
	github.com/mackerelio/checkers v0.2.1
	github.com/mackerelio/go-mackerel-plugin v0.1.5
	github.com/mackerelio/go-osstat v0.2.8
	github.com/mackerelio/mackerel-client-go v0.39.0
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.2
)

require (
	github.com/itchyny/timefmt-go v0.1.6 // indirect
	github.com/mackerelio/golib v1.2.1 // indirect
	golang.org/x/sys v0.46.0 // indirect
	golang.org/x/text v0.15.0 // indirect
)
