# berth — the two commands of the README, and a few more.
#
#   make run    build berth and plan the embedded default scenario
#   make test   install what the tests need, then run the whole suite

GO      ?= go
TAGS    := libvirt_dlopen
BIN     := bin/berth
VERSION ?= $(shell git describe --tags --abbrev=0 2>/dev/null || echo 0.1.0-dev)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: run build test test-short fuzz bench bench-quality fmt vet screenshots

run: build
	./$(BIN) plan

build:
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/berth

test:
	scripts/install-deps.sh test
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -tags $(TAGS) -count=1 -timeout 30m ./...
	scripts/fuzz-brief.sh

test-short:
	$(GO) test -tags $(TAGS) -short ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet -tags $(TAGS) ./...

# Engine, planner and rebalancing benchmarks, then the whole path at scale:
# every stage of `berth plan` (parse, validate, build, solve, describe,
# render) at 1k/10k/100k guests, and `berth plan` itself on a generated
# fleet of 10,000 hosts, 10,000 running and 100,000 demanded guests
# (docs/BENCHMARKS.md, "Whole path at scale").
bench: build
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem ./placement/ ./planner/ ./bench/
	scripts/bench-scale.sh $(BIN)

# Packing quality on the public instances kept in vbp/testdata/public →
# docs/benchmarks/quality.md (~17 min on 2 cores; BUDGET, JOBS, OUT, SETS,
# STRATEGIES override; BENCH_DIR=... uses another copy of the sets).
bench-quality:
	scripts/bench-quality.sh $(BENCH_DIR)

# Refresh docs/report.png, the report screenshot the README shows, from the
# embedded default scenario in headless Chromium (after a change to the
# report or to that scenario).
screenshots:
	$(GO) test -tags $(TAGS) -count=1 ./planner/report -run 'TestReportInChromium/default' -screenshot ../../docs/report.png
