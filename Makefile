# mackerel-frontline: build, test, demo, bench, install, dist.
MODULE  := github.com/frontline-sre/mackerel-frontline
PLUGINS := check-tls-expiry check-http-e2e check-process mackerel-plugin-app mackerel-plugin-frontline-recover
# Tools run in the ops repository and its CI, not by the agent: the release
# zips carry them, and `mkr plugin install` (check-* and mackerel-plugin-*
# only) leaves them out of a host's plugin folder.
TOOLS   := frontline
# Without a tag the version is "dev" and the commit says which build it is.
VERSION ?= $(shell git describe --tags --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git describe --always --dirty --exclude='*' 2>/dev/null || echo none)
PREFIX  ?= /opt/mackerel-agent/plugins
LDFLAGS := -s -w -X $(MODULE)/internal/core/version.Version=$(VERSION) -X $(MODULE)/internal/core/version.Commit=$(COMMIT)
GO      ?= go
# staticcheck at an exact release, run through the module proxy so that
# go.mod stays the plugins' own: 2026.2.2, the newest release, built
# for Go 1.26.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Release zips: what `mkr plugin install OWNER/REPO@TAG` downloads.
DIST      ?= dist
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64

.PHONY: build test race fuzz tidy-check vet demo bench install dist plugins tools clean FORCE

build: $(PLUGINS:%=bin/%) $(TOOLS:%=bin/%)

bin/%: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $@ ./$*

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# The binary-level tests run the binaries built above, as users get them.
# A skipped test fails the run unless .ci/allowed-skips explains its reason.
TESTSCAN := $(GO) run ./internal/dev/cmd/testscan -allow .ci/allowed-skips --

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
	@$(GO) run ./internal/dev/cmd/demo -bin $(CURDIR)/bin

bench: build
	./scripts/bench.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PLUGINS:%=bin/%) $(DESTDIR)$(PREFIX)/bin/

# One zip per platform holding every plugin, README.md, each plugin's
# README as README-<plugin>.md and LICENSE at its top level, and SHA256SUMS
# beside them. The plugin READMEs are renamed, not foldered: a folder named
# like a plugin cannot sit beside it, and mkr on Windows installs any file
# whose name starts with check- or mackerel-plugin-. Every plugin is built for every
# platform: one without support for a platform still builds there and says
# so when run, so that each zip holds the same plugins. Reproducible: no
# paths, build ID or VCS state in the binaries, and a zip that depends on
# nothing but its files, so building a tag twice gives the same bytes.
dist: FORCE
	rm -rf $(DIST)/.stage $(DIST)/mackerel-frontline_*.zip $(DIST)/SHA256SUMS
	mkdir -p $(DIST)/.stage
	$(GO) build -o $(DIST)/.stage/distzip ./internal/dev/cmd/distzip
	@set -e; for platform in $(PLATFORMS); do \
	  os=$${platform%/*}; arch=$${platform#*/}; ext=; \
	  if [ "$$os" = windows ]; then ext=.exe; fi; \
	  name=mackerel-frontline_$${os}_$${arch}; stage=$(DIST)/.stage/$$name; \
	  mkdir -p $$stage; \
	  for plugin in $(PLUGINS) $(TOOLS); do \
	    echo "build $$os/$$arch $$plugin$$ext"; \
	    CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -buildvcs=false \
	      -ldflags "$(LDFLAGS) -buildid=" -o $$stage/$$plugin$$ext ./$$plugin; \
	  done; \
	  cp README.md LICENSE $$stage/; \
	  for plugin in $(PLUGINS) $(TOOLS); do cp $$plugin/README.md $$stage/README-$$plugin.md; done; \
	  $(DIST)/.stage/distzip zip $(DIST)/$$name.zip $$stage; \
	  echo "wrote $(DIST)/$$name.zip"; \
	done
	$(DIST)/.stage/distzip sums $(DIST)
	rm -rf $(DIST)/.stage

plugins:
	@echo $(PLUGINS)

tools:
	@echo $(TOOLS)

clean:
	rm -rf bin dist
