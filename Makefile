# boxoffice: `make run` serves the app, `make test` runs every test. Both install what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Pinned tools. wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock exactly.
CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
SCHEMATHESIS_VERSION := 4.32.5
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_SECONDS := 60
CHROMIUM := /usr/bin/chromium
VENV := .venv

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# apt-get as root (CI) or through sudo (a developer's machine).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup setup-run setup-test tools nextest chromium postgres python build run test test-rust test-postgres test-browser test-api bench fuzz soak fmt lint clean

help:
	@echo "make run    build in release and serve http://127.0.0.1:3000 on data/boxoffice.db"
	@echo "make test   unit, integration (on SQLite, then on PostgreSQL), race and browser tests"
	@echo "make bench  throughput and latency over loopback, written to bench/RESULTS.md"
	@echo "make fuzz   fuzz the model's request parsing for FUZZ_SECONDS (60)"
	@echo "make soak   the crash-safety test's long form: 20 kill -9 cycles under load"
	@echo "make setup | setup-run | setup-test | build | fmt | lint | clean"

## Installed only where missing. setup-run: what building and serving need; setup-test: what the tests add.
setup: setup-run setup-test
setup-run: tools node_modules/.installed
setup-test: setup-run nextest chromium postgres end2end/node_modules/.installed python

# The first time on a fresh machine cargo-leptos compiles from source (≈ 12–25 minutes on 2 cores; cargo
# prints each crate as it compiles it), then wasm-bindgen-cli (≈ 2–4 minutes).
tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)" || \
	  { echo "Installing cargo-leptos $(CARGO_LEPTOS_VERSION): compiled from source, ≈ 12–25 minutes on 2 cores, once per machine"; \
	    cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads; }
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || \
	  { echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (≈ 2–4 minutes, once per machine)"; \
	    cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); }

# cargo-nextest runs the Rust tests (machines of this kind come with it; installed if one does not).
nextest:
	@cargo nextest --version >/dev/null 2>&1 || cargo install cargo-nextest --locked

# Debian's Chromium for the browser tests.
chromium:
	@[ -x $(CHROMIUM) ] || { $(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# PostgreSQL's server programs (initdb, pg_ctl) for the throwaway test cluster; no server is left running.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }

# wasm-opt from npm's binaryen (Debian's is too old and breaks the WASM), for the build; Playwright in
# end2end/, for the tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund
	@touch $@

# Schemathesis for the API contract test, in a virtualenv of its own.
python: $(VENV)/.installed

$(VENV)/.installed: Makefile
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)
	@touch $@

# The release build, redone only when a source it is built from changed (wasm-opt alone takes a minute).
BUILD_SOURCES := $(shell find crates style public -type f -not -path 'crates/model/fuzz/*' \
  -not -path 'crates/bench/*' -not -path 'crates/*/tests/*') Cargo.toml Cargo.lock
BUILT := target/release/.built
build: $(BUILT)
$(BUILT): $(BUILD_SOURCES) | setup-run
	cargo leptos build --release --split --precompress
	@touch $@

run: build
	LEPTOS_SITE_ROOT=target/site BOXOFFICE_SEATING_PLAN=crates/server/fixtures/seating/hall.json target/release/boxoffice

test: setup test-rust test-postgres test-browser test-api

# Every Rust test under cargo-nextest: a process per test, and a test still running after 3 minutes is
# killed and named (.config/nextest.toml). The workspace's doc tests (nextest runs none) after it.
test-rust: nextest
	cargo nextest run --workspace
	timeout 10m cargo test --workspace --doc

# The integration suite again on PostgreSQL: a throwaway cluster (its own temporary folder and free port,
# started as a non-root user), stopped and removed afterwards whatever the outcome; bounded per test as above.
PG_CLUSTER := crates/server/tests/pg-cluster.sh
PG_STATE := $(CURDIR)/target/pg-test.state
test-postgres: postgres nextest
	@$(PG_CLUSTER) stop $(PG_STATE)
	@url=$$($(PG_CLUSTER) start $(PG_STATE)) && trap '$(PG_CLUSTER) stop $(PG_STATE)' EXIT && \
	  echo "PostgreSQL test cluster at $$url" && \
	  BOXOFFICE_TEST_POSTGRES=$$url cargo nextest run -p boxoffice --test integration

# The browser tests start the release server themselves (end2end/playwright.config.ts) on fresh databases.
test-browser: build chromium end2end/node_modules/.installed
	cd end2end && npx playwright test

# The REST API against its own OpenAPI document (schemathesis), on the release server.
test-api: build python
	end2end/api-contract.sh $(CURDIR)/$(VENV)/bin/st

# Not part of `make test`: figures, not assertions. 10,000 connections need a raised descriptor limit.
# The PostgreSQL rows run on a throwaway cluster with PostgreSQL's durable defaults (fsync on).
PG_BENCH_STATE := $(CURDIR)/target/pg-bench.state
bench: build postgres chromium end2end/node_modules/.installed
	cargo build --release -p bench
	@$(PG_CLUSTER) stop $(PG_BENCH_STATE)
	@url=$$(PG_DURABLE=1 $(PG_CLUSTER) start $(PG_BENCH_STATE)) && trap '$(PG_CLUSTER) stop $(PG_BENCH_STATE)' EXIT && \
	  ulimit -n $$(ulimit -Hn) && target/release/boxoffice-bench --postgres $$url
	cd end2end && node bench/first-load.mjs >> ../bench/RESULTS.md

# Coverage-guided fuzzing of the model's request parsing (libFuzzer via cargo-fuzz; `--sanitizer none` runs
# on stable Rust). Not part of `make test`; a crash it finds becomes a unit test in crates/model.
fuzz:
	@cargo fuzz --version 2>/dev/null | grep -q "$(CARGO_FUZZ_VERSION)" || cargo install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked
	cd crates/model && cargo fuzz run --sanitizer none request_parsing -- -max_total_time=$(FUZZ_SECONDS)

# The crash-safety test's long form: 20 SIGKILL-and-restart cycles under booking load.
soak:
	CRASH_CYCLES=20 cargo test -p boxoffice --test integration crash_safety -- --nocapture

fmt:
	cargo fmt --all

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

clean:
	cargo clean
	rm -rf node_modules end2end/node_modules end2end/.tmp end2end/test-results $(VENV)
