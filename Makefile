# The two everyday commands: `make dev` runs the system, `make test` runs every test.
# Both install what is missing first, so they work on a fresh clone: a project virtual
# environment in .venv (Debian's Python refuses `pip install` outside one, PEP 668) and the
# pinned Node toolchain. `make test` also installs and starts PostgreSQL and installs headless
# Chromium for the explorer's browser test, nginx and wrk for the proxy tests and tests/bench/
# (Debian, as root).

# The interpreter the virtual environment is made from: Debian's own by default
# (`make dev PYTHON=/usr/bin/python3`; BASE_PYTHON is the older name of the same setting).
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
BASE_PYTHON ?= $(PYTHON)
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
FORGE := node_modules/.bin/forge
INSTALLED := $(VENV)/.installed

.PHONY: install prerequisites dev test postgres browser proxy wrk contracts-test python-test lint bench invariants proof

install: $(INSTALLED)

# What the README asks of a fresh Debian 12 machine, each missing piece named with its package.
prerequisites:
	@test -n "$(BASE_PYTHON)" && command -v $(BASE_PYTHON) >/dev/null || \
		{ echo "make: no python3 at '$(BASE_PYTHON)': apt-get install python3 python3-venv" >&2; exit 1; }
	@$(BASE_PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "make: $(BASE_PYTHON) is older than 3.11" >&2; exit 1; }
	@$(BASE_PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
		{ echo "make: $(BASE_PYTHON) cannot make a virtual environment: apt-get install python3-venv" >&2; exit 1; }
	@command -v npm >/dev/null || { echo "make: npm not found: apt-get install nodejs npm (Node 20)" >&2; exit 1; }

$(VENV)/bin/python: | prerequisites
	$(BASE_PYTHON) -m venv $(VENV)

$(INSTALLED): $(VENV)/bin/python pyproject.toml package.json package-lock.json
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(INSTALLED)

dev: install
	$(VENV)/bin/trust-ledger dev

postgres:
	@command -v pg_ctlcluster >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	scripts/postgres-up >/dev/null

# Headless Chromium and its driver for the explorer's browser test (Debian packages, as root).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

# Style, the one-way layer contract (pyproject.toml [tool.importlinter]), types, the explorer's script.
lint: install
	$(VENV_PYTHON) -m ruff check .
	$(VENV_PYTHON) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV_PYTHON) -m mypy
	node --check api/explorer/static/explorer.js
	cd contracts && ../$(FORGE) fmt --check

contracts-test: install
	cd contracts && ../$(FORGE) test

# The contract invariants at 10,000 runs each (foundry profile `proof`; about 3 minutes on 2 cores).
invariants: install
	cd contracts && FOUNDRY_PROFILE=proof ../$(FORGE) test --match-contract Invariant

# nginx for the replica tests behind the shipped proxy configuration (Debian package, as root).
proxy:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

python-test: install postgres browser proxy wrk
	$(VENV_PYTHON) -m pytest

test: lint contracts-test invariants python-test

# The fault and load proofs alone (tests/proof/, about 6 minutes on 2 cores; python-test runs them
# too): SIGKILLs during a catch-up, the RPC and PostgreSQL going away under load, a sustained rate.
# Each states its figures in bench/results/proof-*.json. Restarts the local PostgreSQL (as root).
proof: install postgres
	$(VENV_PYTHON) -m pytest -m proof

# wrk, the HTTP load generator of bench/resolve.py (Debian package, as root).
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Every benchmark, each with its baseline from the same run (bench/README.md), then the issue 18
# target table from their results (about 12 minutes on 2 cores). Not part of `make test`.
bench: install postgres proxy wrk
	$(VENV_PYTHON) -m bench.ingest --profile
	$(VENV_PYTHON) -m bench.resolve --profile
	$(VENV_PYTHON) -m bench.gas
	$(VENV_PYTHON) -m bench.status_size
	$(VENV_PYTHON) -m bench.verify --profile
	$(VENV_PYTHON) -m bench.summary
