# boxoffice: `make run` serves the app, `make test` runs every test. Both install what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Pinned tools. wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock exactly.
CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
CHROMIUM := /usr/bin/chromium

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# apt-get as root (CI) or through sudo (a developer's machine).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup tools node build run test test-rust test-browser bench fmt lint clean

help:
	@echo "make run    build in release and serve http://127.0.0.1:3000 on data/boxoffice.db"
	@echo "make test   unit, integration, race and browser tests"
	@echo "make bench  throughput and latency over loopback, written to bench/RESULTS.md"
	@echo "make setup | build | fmt | lint | clean"

## setup: everything the build and the tests need, installed only where missing.
setup: tools node

tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)" || \
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@[ -x $(CHROMIUM) ] || { $(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# wasm-opt from npm's binaryen (Debian's is too old and breaks the WASM); Playwright in end2end/.
node: node_modules/.installed end2end/node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund
	@touch $@

build: setup
	cargo leptos build --release

run: build
	LEPTOS_SITE_ROOT=target/site target/release/boxoffice

test: setup test-rust test-browser

test-rust:
	cargo test --workspace

# The browser tests start the release server themselves (end2end/playwright.config.ts) on fresh databases.
test-browser: build
	cd end2end && npx playwright test

# Not part of `make test`: figures, not assertions. 10,000 connections need a raised descriptor limit.
bench: build
	cargo build --release -p bench
	ulimit -n $$(ulimit -Hn) && target/release/boxoffice-bench

fmt:
	cargo fmt --all

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

clean:
	cargo clean
	rm -rf node_modules end2end/node_modules end2end/.tmp end2end/test-results
