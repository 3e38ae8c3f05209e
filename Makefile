# The two everyday commands: `make dev` runs the system, `make test` runs every test.
# Both install what is missing first (Python package, pinned Node toolchain), so they work
# on a fresh clone. `make test` also installs and starts PostgreSQL and installs headless
# Chromium for the explorer's browser test (Debian, as root).

PYTHON ?= python3
FORGE := node_modules/.bin/forge
INSTALLED := var/.installed

.PHONY: install dev test postgres browser contracts-test python-test lint bench invariants proof

install: $(INSTALLED)

$(INSTALLED): pyproject.toml package.json package-lock.json
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p var && touch $(INSTALLED)

dev: install
	trust-ledger dev

postgres:
	@command -v pg_ctlcluster >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	scripts/postgres-up >/dev/null

# Headless Chromium and its driver for the explorer's browser test (Debian packages, as root).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

lint: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	cd contracts && ../$(FORGE) fmt --check

contracts-test: install
	cd contracts && ../$(FORGE) test

# The contract invariants at 10,000 runs each (foundry profile `proof`; about 3 minutes on 2 cores).
invariants: install
	cd contracts && FOUNDRY_PROFILE=proof ../$(FORGE) test --match-contract Invariant

python-test: install postgres browser
	$(PYTHON) -m pytest

test: lint contracts-test invariants python-test

# The fault and load proofs alone (tests/proof/, about 6 minutes on 2 cores; python-test runs them
# too): SIGKILLs during a catch-up, the RPC and PostgreSQL going away under load, a sustained rate.
# Each states its figures in bench/results/proof-*.json. Restarts the local PostgreSQL (as root).
proof: install postgres
	$(PYTHON) -m pytest -m proof

bench: install postgres
	$(PYTHON) bench/ingest.py
	$(PYTHON) -m bench.resolve --large 100000
	$(PYTHON) -m bench.gas
	$(PYTHON) -m bench.status_size
	$(PYTHON) -m bench.verify
