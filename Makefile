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
BASE ?=
PYTEST_ARGS ?=
# test files run in parallel worker processes, each file whole in one worker (its module fixtures synthesize once)
PYTEST_WORKERS ?= 2

# Every target runs the pinned Node 24 and CDK CLI from node_modules, never the system Node.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# The CLI's update notices and telemetry would reach for the network, which is not there.
export CDK_DISABLE_CLI_TELEMETRY := true

hash = $(shell cat $(1) | sha256sum | cut -c1-16)
RUNTIME_STAMP := $(VENV)/.runtime-$(call hash,requirements-bootstrap.txt requirements.txt pyproject.toml)
DEV_STAMP := $(VENV)/.dev-$(call hash,requirements-bootstrap.txt requirements.txt pyproject.toml requirements-dev.txt)
BENCH_STAMP := $(VENV)/.bench-$(call hash,requirements-bootstrap.txt requirements.txt pyproject.toml requirements-dev.txt requirements-bench.txt)
# the pinned closures are installed by uv (pinned in requirements-bootstrap.txt, itself installed by
# pip): the same pins, installed in parallel, a cold `make synth` in well under a minute
UV := $(VENV)/bin/uv
# --compile-bytecode: uv does not write .pyc files by default, and where PYTHONDONTWRITEBYTECODE is set
# (as on these machines) every process would compile aws-cdk-lib's sources again
UV_INSTALL := $(UV) pip install --quiet --compile-bytecode --python $(PY)
NODE_STAMP := node_modules/.installed-$(call hash,package.json package-lock.json)

TEMPLATES ?= cdk.out/*.template.json
ARGS ?=
# the file `cdk deploy --outputs-file` wrote: `make outputs` fills the setup sheet's deploy-time values from it
OUTPUTS ?= cdk-outputs.json

.PHONY: help setup setup-dev synth report lint verify outputs check test bench schema node-version clean browser

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

# The package itself goes into .venv as an editable install (only `federation_constructs` is mapped,
# not the repository root), so .venv/bin/federation-lint and .venv/bin/federation-verify exist.
$(RUNTIME_STAMP): | $(VENV)/bin/python
	rm -f $(VENV)/.runtime-*
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-bootstrap.txt
	$(UV_INSTALL) -r requirements.txt
	$(UV_INSTALL) --no-deps --no-build-isolation -e .
	$(PY) -m compileall -q -j 0 federation_constructs stacks app.py
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP)
	rm -f $(VENV)/.dev-*
	$(UV_INSTALL) -r requirements-dev.txt
	touch $@

$(BENCH_STAMP): $(DEV_STAMP)
	rm -f $(VENV)/.bench-*
	$(UV_INSTALL) -r requirements-bench.txt
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
	   cdk.out/findings.csv cdk.out/access-report.md cdk.out/access-report.json cdk.out/access-report.html \
	   cdk.out/setup.md cdk.out/setup.json

# BASE=<git ref>: also synthesize that commit (its own app and CONFIG, this checkout's venv and CDK CLI,
# in a temporary export) and write what this checkout changes in access: cdk.out/access-diff.md and .json.
report: synth  ## synthesize and show the access report; BASE=<git ref> adds the diff against that commit
	@echo "access report: cdk.out/access-report.html (and cdk.out/access-report.md, cdk.out/access-report.json)"
	@if [ -n "$(BASE)" ]; then $(PY) scripts/report_diff.py --base '$(BASE)' --config '$(CONFIG)'; fi

lint: setup  ## federation-lint on TEMPLATES (default: cdk.out/*.template.json); ARGS="--format sarif --output lint.sarif"
	$(VENV)/bin/federation-lint $(ARGS) $(TEMPLATES)

verify: synth  ## synthesize CONFIG, then federation-verify that assembly against a live account; ARGS="--profile prod"
	$(VENV)/bin/federation-verify --assembly cdk.out $(ARGS)

outputs: setup  ## after `cdk deploy --outputs-file OUTPUTS`: fill cdk.out/setup.md and setup.json with the deployed values (OUTPUTS=cdk-outputs.json)
	$(VENV)/bin/federation-setup --outputs $(OUTPUTS) cdk.out

check: setup-dev  ## ruff (lint and format) and mypy --strict on the package and the library example
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: setup-dev browser check  ## run the whole test suite (after `make check`: ruff and mypy)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Headless Chromium for tests/test_browser.py. Never fails the build: when it cannot be installed the
# reason goes to $(VENV)/.browser-unavailable and the browser test skips with it.
BROWSER_UNAVAILABLE := $(VENV)/.browser-unavailable
browser:  ## make headless Chromium available for the browser test (apt; skipped with a reason if it cannot)
	@if [ -x /usr/bin/chromium ]; then rm -f $(BROWSER_UNAVAILABLE); exit 0; fi; \
	mkdir -p $(VENV); \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "no /usr/bin/chromium, and installing it needs root (or sudo without a password)" > $(BROWSER_UNAVAILABLE); \
	     echo "browser: $$(cat $(BROWSER_UNAVAILABLE))"; exit 0; fi; \
	if log=$$( { $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends chromium; } 2>&1 ) \
	   && [ -x /usr/bin/chromium ]; then rm -f $(BROWSER_UNAVAILABLE); echo "browser: $$(/usr/bin/chromium --version)"; \
	else { echo "no /usr/bin/chromium: apt-get install chromium failed:"; echo "$$log" | tail -n 5; } > $(BROWSER_UNAVAILABLE); \
	     echo "browser: $$(head -n 1 $(BROWSER_UNAVAILABLE)) (see $(BROWSER_UNAVAILABLE))"; fi

bench: setup-dev $(BENCH_STAMP)  ## run the benchmark suite: bench/results.md and bench/*.png (BENCH_SKIP_TESTS=1 skips make test)
	$(PY) bench/run.py

schema: setup  ## regenerate schema/config.schema.json from the config model
	$(PY) -m stacks.config --schema > schema/config.schema.json

node-version: $(NODE_STAMP)  ## print the Node version the targets run on
	@node --version

clean:  ## remove synth output (keeps .venv and node_modules)
	rm -rf cdk.out .pytest_cache
