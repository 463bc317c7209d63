# gilbert-ts build. Fresh machine: `make demo` (the example) and `make test` (the suite).
# Needs: Node >= 20 with npm, Go >= 1.21, gcc (cgo), make.

SHELL := /bin/bash
GO ?= go
NODE ?= node
export GOFLAGS := -buildvcs=false

SHIM_DIR   := go-shim
SHIM_LIB   := $(SHIM_DIR)/build/libgilbert_shim.so
SHIM_HOST  := $(SHIM_DIR)/build/gilbert-go-host
EXAMPLE_PLUGIN := examples/hello/plugin/build/gilbert-plugin-example.so
TS_SOURCES := $(shell find src -name '*.ts')
# `make test TEST=test/bridge` runs only the tests under that path
TEST ?= test

.PHONY: all deps build shim fixtures typecheck test demo bench clean conformance

all: build

## ---- dependencies ---------------------------------------------------------
node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

deps: node_modules/.install-stamp

## ---- build -----------------------------------------------------------------
# tsc's output is the library and `gilbert-ts/sdk`; the CLI entry is then
# replaced by a bundle with a V8 code cache, for start-up time (scripts/bundle-cli.mjs)
# (the shim and the example plugin first: the code cache is recorded with a Go plugin run)
dist/.build-stamp: node_modules/.install-stamp $(TS_SOURCES) tsconfig.json scripts/bundle-cli.mjs scripts/cli-entry.cjs scripts/build-files.mjs | $(SHIM_LIB) $(EXAMPLE_PLUGIN)
	npx tsc -p tsconfig.json
	$(NODE) scripts/bundle-cli.mjs
	$(NODE) scripts/build-files.mjs
	@touch $@

build: dist/.build-stamp shim

## ---- go shim (bridge) --------------------------------------------------------
# One Go package (go-shim/bridge) behind two transports: the c-shared shim
# loaded in process, and the same code as a Go host process (cmd/host).
SHIM_SOURCES := $(wildcard $(SHIM_DIR)/*.go $(SHIM_DIR)/*.c $(SHIM_DIR)/*.h $(SHIM_DIR)/bridge/*.go) $(SHIM_DIR)/go.mod $(SHIM_DIR)/go.sum $(wildcard native/*.h)

$(SHIM_LIB): $(SHIM_SOURCES)
	cd $(SHIM_DIR) && CGO_ENABLED=1 $(GO) build -buildmode=c-shared -o build/libgilbert_shim.so .

$(SHIM_HOST): $(SHIM_SOURCES) $(wildcard $(SHIM_DIR)/cmd/host/*.go)
	cd $(SHIM_DIR) && CGO_ENABLED=1 $(GO) build -o build/gilbert-go-host ./cmd/host

shim: $(SHIM_LIB) $(SHIM_HOST)

## ---- test fixtures -----------------------------------------------------------
# Go plugin fixtures for test/bridge (one .so per fault or behaviour).
GOPLUG_DIR   := test/fixtures/go-plugins
GOPLUG_BUILD := $(GOPLUG_DIR)/build
GOPLUG_NAMES := bridgetest noname nosymbols wrongtype crash
GOPLUG_LIBS  := $(patsubst %,$(GOPLUG_BUILD)/%.so,$(GOPLUG_NAMES)) $(GOPLUG_BUILD)/trimpath.so $(GOPLUG_BUILD)/oldsdk.so $(GOPLUG_BUILD)/notplugin.so

$(GOPLUG_BUILD)/%.so: $(GOPLUG_DIR)/%/*.go $(GOPLUG_DIR)/go.mod
	cd $(GOPLUG_DIR) && $(GO) build -buildmode=plugin -o build/$*.so ./$*

# the same plugin built with -trimpath: the bridge must diagnose it, not die
$(GOPLUG_BUILD)/trimpath.so: $(GOPLUG_DIR)/bridgetest/*.go $(GOPLUG_DIR)/go.mod
	cd $(GOPLUG_DIR) && $(GO) build -trimpath -buildmode=plugin -o build/trimpath.so ./bridgetest

# its own module, on gilbert-sdk v0.8.6: a version mismatch the bridge must name
$(GOPLUG_BUILD)/oldsdk.so: $(GOPLUG_DIR)/oldsdk/*.go $(GOPLUG_DIR)/oldsdk/go.mod
	cd $(GOPLUG_DIR)/oldsdk && $(GO) build -buildmode=plugin -o ../build/oldsdk.so .

$(GOPLUG_BUILD)/notplugin.so: $(GOPLUG_DIR)/notplugin/lib.c
	mkdir -p $(GOPLUG_BUILD) && gcc -shared -fPIC -o $@ $<

$(EXAMPLE_PLUGIN): examples/hello/plugin/*.go examples/hello/plugin/go.mod
	cd examples/hello/plugin && $(GO) build -buildmode=plugin -o build/gilbert-plugin-example.so .

fixtures: $(GOPLUG_LIBS) $(EXAMPLE_PLUGIN)

## ---- test ------------------------------------------------------------------
typecheck: deps
	npx tsc -p tsconfig.test.json

test: build fixtures typecheck
	$(NODE) --import tsx --test --test-concurrency=2 --test-timeout=600000 $$(find $(TEST) -name '*.test.ts' | sort)

## ---- demo ------------------------------------------------------------------
demo: build $(EXAMPLE_PLUGIN)
	cd examples/hello && $(NODE) ../../dist/cli/main.js run hello

## ---- benchmarks --------------------------------------------------------------
# NATIVE_GILBERT=/path/to/gilbert (v1.1.0) adds native Gilbert's figures and ratios;
# the last step writes the README's benchmark table
bench: build fixtures bench/.out/bridge-native bench/.out/measure
	bench/.out/bridge-native $(GOPLUG_BUILD)/bridgetest.so > bench/.out/bridge-native.json
	$(NODE) --import tsx bench/bridge.ts $(GOPLUG_BUILD)/bridgetest.so bench/.out/bridge-native.json
	$(NODE) --expose-gc --import tsx bench/bridge-transports.ts $(GOPLUG_BUILD)/bridgetest.so $(SHIM_HOST)
	$(NODE) bench/runs.mjs
	$(NODE) bench/readme.mjs

# the floor for the bridge benchmark: the same plugin called by a Go host
bench/.out/bridge-native: bench/bridge-native/*.go bench/bridge-native/go.mod
	cd bench/bridge-native && $(GO) build -o ../.out/bridge-native .

# runs a command and reports its rusage (CPU, peak RSS) to the microsecond
bench/.out/measure: bench/measure/*.go bench/measure/go.mod
	cd bench/measure && $(GO) build -o ../.out/measure .

clean:
	rm -rf dist gilbert.schema.json $(SHIM_DIR)/build test/.tmp bench/.out

## ---- conformance ----------------------------------------------------------------
# Re-records test/conformance/golden/ from a native Gilbert v1.1.0 binary
# (built from its tag in a temp folder; never part of this project).
# `make conformance NATIVE_GILBERT=/path/to/gilbert [CASES=prefix]`
conformance: deps
	@test -n "$(NATIVE_GILBERT)" || { echo "usage: make conformance NATIVE_GILBERT=/path/to/gilbert"; exit 1; }
	NATIVE_GILBERT="$(abspath $(NATIVE_GILBERT))" CASES="$(CASES)" $(NODE) --import tsx test/conformance/record.ts
