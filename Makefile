# Supervision: `make run` serves the demo, `make test` runs every test. `make help` lists targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
# Python keeps the bytecode it compiles (__pycache__, ignored by git) even where the environment
# says not to: without it every process of a run (each test worker, each command a test starts)
# compiles every module it imports again, about 5 s a start (docs/development.md).
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium-headless-shell
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help install install-test run test test-sqlite test-postgres test-reliability test-durations lint format chromium clean check bench bench-load

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# uv installs the pinned packages (constraints.txt) into the venv: the same pins as pip would
# install, in about a quarter of pip's time (docs/decisions.md). uv itself is pinned here.
UV_VERSION := 0.13.10
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.uv-$(UV_VERSION): | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	touch $@

$(VENV)/.runtime-installed: $(VENV)/.uv-$(UV_VERSION) pyproject.toml constraints.txt
	$(UV_INSTALL) -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.runtime-installed
	$(UV_INSTALL) -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.runtime-installed node_modules/.installed ## Install pinned Python and npm dependencies

install-test: ## Install test dependencies and Debian's Chromium headless shell
	@# pip, npm and apt each wait on the network or the disk: let them do it at the same time.
	@$(MAKE) --no-print-directory -j3 install $(VENV)/.test-installed chromium

chromium: ## Install Debian's Chromium headless shell for the browser tests when it is missing
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian's chromium-headless-shell for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; \
	fi

run: install ## Migrate, seed the demo when the database is empty, serve on 127.0.0.1:5000 with the scheduler
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	EMBEDDED_SCHEDULER=1 $(FLASK) serve --host $(HOST) --port $(PORT)

test: install-test ## Lint, security checks, and the whole suite on SQLite, and on PostgreSQL when it answers (required under CI)
	@# Lint and the security checks run beside the SQLite run; the PostgreSQL run follows. Each run
	@# already keeps both cores busy: the two side by side took a minute longer than one after the
	@# other (docs/development.md). Any failure fails `make test`.
	$(MAKE) --no-print-directory -j3 --output-sync=target lint check test-sqlite
	$(MAKE) --no-print-directory test-postgres

# pytest's exit code 5 means "no tests collected": never a failure of the suite itself.
PYTEST = $(BIN)/pytest -p no:cacheprovider
# Each database's run spreads its tests over TEST_WORKERS pytest-xdist workers (each with its own
# database, live server and ports), a module or class to a worker so that fixtures shared at
# module scope are built once. Two workers keep this machine's two cores busy (three were slower).
# TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PYTEST_PARALLEL = $(PYTEST) $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder)

# Everything, browser tests included, on SQLite; but the checks of the source (`lint`: import
# cycles, doc citations), which `make lint` runs by file, beside this run.
SQLITE_PYTEST_ARGS ?= -m "not lint"

test-sqlite: install-test
	$(PYTEST_PARALLEL) $(SQLITE_PYTEST_ARGS) || [ $$? -eq 5 ]

# Only what touches a database, on PostgreSQL: tests/conftest.py deselects every test that uses
# neither the `app` nor the `database_url` fixture nor is marked `postgres` or `own_database` (the
# SQLite run already gave its answer). The browser tests drive pages whose queries the other tests
# already run on both databases, and the `presentation` tests check what pages show, which the
# database cannot change: both run once, on SQLite (POSTGRES_PYTEST_ARGS= includes them).
POSTGRES_PYTEST_ARGS ?= -m "not browser and not presentation"

test-postgres: install-test
	@if $(BIN)/python -m tests.databases "$(TEST_DATABASE_URL)"; then \
		echo "== PostgreSQL: $(TEST_DATABASE_URL)"; \
		TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(PYTEST_PARALLEL) $(POSTGRES_PYTEST_ARGS) || [ $$? -eq 5 ]; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL at $(TEST_DATABASE_URL) is not reachable, and CI requires it"; exit 1; \
	else \
		echo "== PostgreSQL not reachable at $(TEST_DATABASE_URL): skipped (set CI=1 to require it)"; \
	fi

test-reliability: install-test ## Load and crash tests against real processes (docs/reliability.md), SQLite then PostgreSQL
	$(PYTEST) -m reliability -s tests/reliability || [ $$? -eq 5 ]
	@if $(BIN)/python -m tests.databases "$(TEST_DATABASE_URL)"; then \
		TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(PYTEST) -m reliability -s tests/reliability || [ $$? -eq 5 ]; \
	fi

test-durations: install-test ## Time both runs' scopes again into tests/scope_seconds.json (the order workers get them)
	$(PYTEST_PARALLEL) $(SQLITE_PYTEST_ARGS) -q --durations=0 > $(VENV)/durations-sqlite.txt || [ $$? -eq 5 ]
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(PYTEST_PARALLEL) $(POSTGRES_PYTEST_ARGS) -q --durations=0 \
		> $(VENV)/durations-postgres.txt || [ $$? -eq 5 ]
	$(BIN)/python -m tests.scheduling $(VENV)/durations-sqlite.txt $(VENV)/durations-postgres.txt

lint: $(VENV)/.test-installed ## Lint and format check (ruff), types (mypy: strict on the pure rules), no import cycles
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(PYTEST) -q tests/test_import_cycles.py tests/test_doc_citations.py

# pip-audit asks PyPI's JSON API about every pinned version. Where that service cannot be
# reached (this build machine only reaches the package index), nothing has been audited: say so
# loudly, and fail only when AUDIT_REQUIRED is set (do set it where the service is reachable).
AUDIT_REQUIRED ?=

check: $(VENV)/.test-installed ## Security checks: bandit on the code, pip-audit on the pinned dependencies
	$(BIN)/bandit -q -r supervision -b docs/bandit-baseline.json
	@out=$$($(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r constraints.txt 2>&1); status=$$?; \
	if [ $$status -eq 0 ]; then echo "pip-audit: no known vulnerabilities in constraints.txt"; \
	elif echo "$$out" | grep -qE "could not be audited|ConnectionError|Max retries|Failed to resolve"; then \
		echo "pip-audit could NOT reach PyPI's vulnerability service: the dependencies were NOT audited."; \
		echo "$$out" | grep -E "could not be audited|Error" | head -3; \
		if [ -n "$(AUDIT_REQUIRED)" ]; then echo "Required here (AUDIT_REQUIRED/CI is set): failing."; exit 1; fi; \
	else echo "$$out"; exit $$status; fi

format: $(VENV)/.test-installed ## Fix lint and formatting where ruff can
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The national-scale benchmark (issue 9): never part of `make test`. It creates the scratch
# database named in BENCH_DATABASE_URL (dropping any of that name), generates STAFF staff with
# YEARS of history, measures, writes docs/performance.md and drops the database again.
STAFF ?= 40000
YEARS ?= 5
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/supervision_bench
BENCH_OPTIONS ?=

bench: install ## Generate STAFF staff and YEARS of history in a scratch PostgreSQL database and time the reports and jobs
	nice -n 19 $(BIN)/python bench/national.py --staff $(STAFF) --years $(YEARS) \
		--database-url $(BENCH_DATABASE_URL) --write docs/performance.md $(BENCH_OPTIONS)

$(VENV)/.bench-installed: $(VENV)/.runtime-installed
	$(UV_INSTALL) -e '.[bench]'
	touch $@

LOAD_USERS ?= 200
LOAD_MINUTES ?= 5

# The mixed load (issue 18): LOAD_USERS signed-in people of all five roles for LOAD_MINUTES against
# gunicorn on loopback, the scheduled jobs running beside it, in a database generated by
# `make bench ... BENCH_OPTIONS=--keep`. Never part of `make test`. Not niced as a whole: gunicorn
# runs at the web's priority and the jobs lower their own (JOB_NICENESS), as in production.
bench-load: install $(VENV)/.bench-installed ## Mixed load of all five roles against gunicorn (needs a kept bench database)
	$(BIN)/python bench/mixed_load.py --database-url $(BENCH_DATABASE_URL) \
		--users $(LOAD_USERS) --minutes $(LOAD_MINUTES)

clean: ## Remove the virtualenv, node_modules and local databases
	rm -rf $(VENV) node_modules instance
