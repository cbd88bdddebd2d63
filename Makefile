# mackerel-frontline: build, test, demo, bench, install.
MODULE  := github.com/frontline-sre/mackerel-frontline
PLUGINS := check-tls-expiry
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
PREFIX  ?= /opt/mackerel-agent/plugins
LDFLAGS := -s -w -X $(MODULE)/internal/version.Version=$(VERSION) -X $(MODULE)/internal/version.Commit=$(COMMIT)
GO      ?= go

.PHONY: build test race fuzz tidy-check vet demo bench install clean FORCE

build: $(PLUGINS:%=bin/%)

bin/%: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $@ ./$*

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

# The binary-level tests run the binaries built above, as users get them.
# A skipped test fails the run unless .ci/allowed-skips explains its reason.
TESTSCAN := $(GO) run ./internal/cmd/testscan -allow .ci/allowed-skips --

test: build vet tidy-check race
	FRONTLINE_BIN=$(CURDIR)/bin $(TESTSCAN) -count=1 ./...
	@$(MAKE) --no-print-directory fuzz

# The race detector over every package; -short leaves out the real-agent
# test, which runs no code of ours in-process.
race: build
	FRONTLINE_BIN=$(CURDIR)/bin $(TESTSCAN) -race -short -count=1 ./...

# Every fuzz target in the module, FUZZTIME (default 2s) each.
fuzz:
	GO=$(GO) ./scripts/fuzz.sh

# go.mod and go.sum say exactly what the code needs.
tidy-check:
	$(GO) mod tidy -diff

demo: build
	@$(GO) run ./internal/cmd/demo -bin $(CURDIR)/bin

bench: build
	./scripts/bench.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PLUGINS:%=bin/%) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf bin dist
