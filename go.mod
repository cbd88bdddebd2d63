module github.com/frontline-sre/mackerel-frontline

go 1.26

require (
	github.com/jessevdk/go-flags v1.6.1
	github.com/mackerelio/checkers v0.2.1
)

require golang.org/x/sys v0.21.0 // indirect
