# Two commands on a fresh machine: `make synth` and `make test` (each sets up what it needs).
# Set-up is keyed on the lock files: a stamp named after their hash, so an unchanged checkout
# installs nothing and a changed lock file reinstalls once.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?= examples/example.yaml
PYTEST_ARGS ?=

# Every target runs the pinned Node 24 and CDK CLI from node_modules, never the system Node.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# The CLI's update notices and telemetry would reach for the network, which is not there.
export CDK_DISABLE_CLI_TELEMETRY := true

hash = $(shell cat $(1) | sha256sum | cut -c1-16)
RUNTIME_STAMP := $(VENV)/.runtime-$(call hash,requirements.txt)
DEV_STAMP := $(VENV)/.dev-$(call hash,requirements.txt requirements-dev.txt)
BENCH_STAMP := $(VENV)/.bench-$(call hash,requirements.txt requirements-dev.txt requirements-bench.txt)
NODE_STAMP := node_modules/.installed-$(call hash,package.json package-lock.json)

.PHONY: help setup setup-dev synth report test bench schema node-version clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): | $(VENV)/bin/python
	rm -f $(VENV)/.runtime-*
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP)
	rm -f $(VENV)/.dev-*
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

$(BENCH_STAMP): $(DEV_STAMP)
	rm -f $(VENV)/.bench-*
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-bench.txt
	touch $@

$(NODE_STAMP):
	npm ci --no-audit --no-fund
	touch $@

setup: $(RUNTIME_STAMP) $(NODE_STAMP)  ## create .venv and node_modules from the pins (no-op when current)

setup-dev: setup $(DEV_STAMP)  ## setup plus the test pins

synth: setup  ## synthesize CONFIG (default: the bundled example) into cdk.out/ with the rule-pack reports
	rm -rf cdk.out
	cdk synth --quiet --no-notices -c config=$(CONFIG)
	@ls cdk.out/*.template.json cdk.out/validation-report.json cdk.out/rule-pack-report.json cdk.out/findings.json \
	   cdk.out/findings.csv cdk.out/access-report.md cdk.out/access-report.json

report: synth  ## synthesize and show where the access report is (cdk.out/access-report.md and .json)
	@echo "access report: cdk.out/access-report.md (and cdk.out/access-report.json)"

test: setup-dev  ## run the whole test suite
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup-dev $(BENCH_STAMP)  ## run the benchmark suite: bench/results.md and bench/*.png (BENCH_SKIP_TESTS=1 skips make test)
	$(PY) bench/run.py

schema: setup  ## regenerate schema/config.schema.json from the config model
	$(PY) -m stacks.config --schema > schema/config.schema.json

node-version: $(NODE_STAMP)  ## print the Node version the targets run on
	@node --version

clean:  ## remove synth output (keeps .venv and node_modules)
	rm -rf cdk.out .pytest_cache
