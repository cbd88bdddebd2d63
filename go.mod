module github.com/frontline-sre/mackerel-frontline

go 1.26

require (
	github.com/goccy/go-yaml v1.18.0
	github.com/itchyny/gojq v0.12.17
	github.com/jessevdk/go-flags v1.6.1
	github.com/mackerelio/checkers v0.2.1
)

require (
	github.com/itchyny/timefmt-go v0.1.6 // indirect
	golang.org/x/sys v0.21.0 // indirect
)
