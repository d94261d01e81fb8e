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

.PHONY: help venv install migrate reference demo-data demo serve test lint format test-pg test-browser ci bench clean

help:
	@echo "make demo          install, migrate, load reference and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test          install, lint, run the whole test suite on SQLite"
	@echo "make test-pg       run the test suite on PostgreSQL (PG_URL=$(PG_URL))"
	@echo "make test-browser  run the browser tests (Debian chromium)"
	@echo "make format        format the code"

# uv installs itself with pip when the machine does not have it.
$(BIN)/python: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet --break-system-packages --user uv
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
	$(MANAGE) runserver $(HOST):$(PORT)

lint: $(BIN)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint clauses --lint --quiet
	DJANGO_SETTINGS_MODULE=clauses.settings.test $(MANAGE) makemigrations --check --dry-run

format: $(BIN)/python
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest -m "not browser" -n 2

test-pg: $(BIN)/python
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" -n 2

test-browser: $(BIN)/python
	$(BIN)/pytest -m browser -p no:randomly

bench: $(BIN)/python
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
