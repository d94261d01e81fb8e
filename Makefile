# Clauses — everyday commands. Needs only Python 3.11+; everything else is installed here.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/clauses
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-x tests/network"`.
PYTEST_ARGS ?=
# The suite on two workers (pytest-xdist; each has its own test database). Work stealing: a
# worker that is done takes pending tests from the other, so a slow file does not end the run
# alone. `make test XDIST=` runs in one process.
XDIST ?= -n 2 --dist worksteal

# Run pytest and fail when it collected no test: pytest's exit code 5 ("no tests collected")
# must never pass as a green run (a wrong marker or path would otherwise hide everything).
define pytest_strict
	@set +e; $(1) $(BIN)/pytest $(2) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ÉCHEC : aucun test exécuté (pytest $(2))." >&2; exit 1; fi; \
	exit $$rc
endef

.PHONY: help venv install migrate reference demo-data demo serve test test-only lint format \
	proconnect-provider demo-proconnect \
	test-pg test-ops test-browser fuzz ci bench bench-national clean

help:
	@echo "make demo          install, migrate, load reference and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make proconnect-provider  (optional, needs node) the local ProConnect provider on http://127.0.0.1:$(PROCONNECT_PORT)"
	@echo "make demo-proconnect      the demo with ProConnect set to that provider (run both, two terminals)"
	@echo "make test          install, lint, run the whole test suite on SQLite"
	@echo "make test-pg       run the test suite on PostgreSQL (PG_URL=$(PG_URL))"
	@echo "make test-browser  run the browser tests (Debian chromium, /usr/bin/chromium)"
	@echo "make test-ops      backups, faults, several servers (PostgreSQL + Redis, PG_URL=$(PG_URL))"
	@echo "make fuzz          Schemathesis (all checks) against a live server with the demo data"
	@echo "make lint          ruff, djlint, makemigrations --check"
	@echo "make format        format the code"
	@echo "make bench         run the benchmarks on the configured database (DATABASE_URL)"
	@echo "make bench-national  fresh PostgreSQL database, national dataset, every benchmark"
	@echo "make ci            what CI runs (.ci/run): SQLite, PostgreSQL, browser, fuzz and ops stages"

# uv installs itself with pip when the machine does not have it.
$(BIN)/python: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
	  || $(PYTHON) -m pip install --quiet --user uv \
	  || $(PYTHON) -m pip install --quiet --break-system-packages --user uv \
	  || { echo "Impossible d'installer uv : installez pip (Debian : apt-get install python3-pip) ou uv." >&2; exit 1; }
	$(UV) sync --frozen --python $(PYTHON)
	@touch $(BIN)/python

venv install: $(BIN)/python

migrate: $(BIN)/python
	@mkdir -p var
	$(MANAGE) migrate --noinput

reference: migrate
	$(MANAGE) load_reference --wet-run

demo-data: reference
	$(MANAGE) seed_demo

demo: demo-data
	@$(MANAGE) demo_accounts
	@echo "Clauses : http://$(HOST):$(PORT)/"
	$(MANAGE) runserver $(HOST):$(PORT)

# Optional: ProConnect in the demo (README, docs/proconnect.md). The local OpenID Connect
# provider of the tests with the demo identities (demo-identities.json), registered for the
# demo's exact redirect URIs; `make demo-proconnect` is `make demo` configured for it.
PROCONNECT_PORT ?= 9400
PROCONNECT_DIR := tests/support/proconnect_provider

proconnect-provider:
	@command -v node >/dev/null 2>&1 || { echo "node est introuvable : installez Node.js (Debian : apt-get install nodejs npm)." >&2; exit 1; }
	@test -d $(PROCONNECT_DIR)/node_modules/oidc-provider || (cd $(PROCONNECT_DIR) && npm ci)
	cd $(PROCONNECT_DIR) && PORT=$(PROCONNECT_PORT) \
	  REDIRECT_URIS=http://$(HOST):$(PORT)/compte/proconnect/retour/ \
	  POST_LOGOUT_REDIRECT_URIS=http://$(HOST):$(PORT)/compte/proconnect/deconnexion/ \
	  node server.js

demo-proconnect: export CLAUSES_PROCONNECT_ISSUER = http://127.0.0.1:$(PROCONNECT_PORT)
demo-proconnect: export CLAUSES_PROCONNECT_CLIENT_ID = clauses-demo
demo-proconnect: export CLAUSES_PROCONNECT_CLIENT_SECRET = clauses-demo-secret
demo-proconnect: demo

serve: $(BIN)/python
	$(MANAGE) runserver $(HOST):$(PORT)

lint: $(BIN)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint clauses --lint --quiet
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=clauses.settings.test $(MANAGE) makemigrations --check --dry-run

format: $(BIN)/python
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint test-only

# The suite on SQLite, without the lint (what `make test` runs after the lint).
test-only: $(BIN)/python
	$(call pytest_strict,,-m "not browser and not ops" $(XDIST))

test-pg: $(BIN)/python
	$(call pytest_strict,DATABASE_URL=$(PG_URL),-m "not browser and not ops" $(XDIST))

# Operations tests (backups restored, faults survived, several servers): PostgreSQL, one by one.
test-ops: $(BIN)/python
	$(call pytest_strict,DATABASE_URL=$(PG_URL),-m ops -p no:randomly tests/ops)

# The OpenAPI document is the contract: Schemathesis, every check, anonymous and with each demo
# token, against a live server on a throwaway demo database (docs/security.md). FUZZ_ARGS e.g.
# "--max-examples 5 --only anonymous".
fuzz: $(BIN)/python
	$(BIN)/python -m tests.fuzz.run_schemathesis $(FUZZ_ARGS)

test-browser: $(BIN)/python
	$(call pytest_strict,,-m browser -p no:randomly tests/browser)

ci:
	bash .ci/run

BENCH_SCALE ?= national
BENCH_DB ?= clauses_bench
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)

bench: $(BIN)/python
	$(BIN)/python -m bench $(BENCH_ARGS)

# A fresh database, the dataset of BENCH_SCALE (national: ~5 min on 2 cores), every benchmark.
bench-national: $(BIN)/python
	dropdb -h 127.0.0.1 -U postgres --if-exists $(BENCH_DB)
	createdb -h 127.0.0.1 -U postgres $(BENCH_DB)
	DATABASE_URL=$(BENCH_URL) $(MANAGE) migrate --noinput -v0
	DATABASE_URL=$(BENCH_URL) $(MANAGE) load_reference --wet-run -v0
	DATABASE_URL=$(BENCH_URL) $(BIN)/python -m bench.dataset --scale $(BENCH_SCALE) --wet-run
	DATABASE_URL=$(BENCH_URL) $(BIN)/python -m bench --scale $(BENCH_SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
