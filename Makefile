# Value Chain Compass: local development commands. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Rewritten after each successful install, so a newer pyproject.toml triggers the next one.
INSTALL_STAMP := $(VENV)/.installed-from-pyproject
ADDRESS ?= 127.0.0.1:8000

# The first of python3.11 and python3 that is Python 3.11; empty when neither is.
PYTHON ?= $(shell for candidate in python3.11 python3; do \
	if $$candidate -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		echo $$candidate; break; fi; done)

say = @printf '\n==> %s\n' $(1)

.PHONY: help run test lint migrations-check clean

help:
	@echo "make run               install, migrate, load the demo portfolio, serve on http://$(ADDRESS)/"
	@echo "make test              ruff, then pytest (SQLite unless DATABASE_URL is set)"
	@echo "make lint              ruff and Django's system checks"
	@echo "make migrations-check  fail when a model change has no migration"
	@echo "make clean             remove caches and collected static files (keeps .venv and var/*.sqlite3)"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Python 3.11 is required, but neither python3.11 nor python3 is 3.11." >&2; \
		echo "Install Python 3.11, or run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; fi
	$(call say,"Creating $(VENV) with $(PYTHON) ($$($(PYTHON) -c 'import sys; print(sys.version.split()[0])'))")
	$(PYTHON) -m venv $(VENV)

$(INSTALL_STAMP): pyproject.toml | $(BIN)/python
	$(call say,"Installing the project and its test tools into $(VENV)")
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

install: $(INSTALL_STAMP)
.PHONY: install

var:
	@mkdir -p var

run: export DEBUG := true
run: $(INSTALL_STAMP) | var
	$(call say,"Applying database migrations")
	$(BIN)/python manage.py migrate --no-input --verbosity 0
	$(BIN)/python manage.py createcachetable
	$(call say,"Loading the demo portfolio")
	$(BIN)/python manage.py load_demo --address $(ADDRESS)
	$(call say,"Serving Value Chain Compass at http://$(ADDRESS)/ (Ctrl-C stops it)")
	$(BIN)/python manage.py runserver $(ADDRESS)

test: export DEBUG := true
test: $(INSTALL_STAMP)
	$(BIN)/ruff check .
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		printf '\n==> pytest on %s\n' "$$(printf '%s' "$$DATABASE_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')"; \
	else \
		printf '\n==> pytest on SQLite (DATABASE_URL is unset)\n'; \
	fi
	@# pytest exits with 5 when it collected no test; say so instead of a bare "Error 5".
	@echo "$(BIN)/pytest"
	@$(BIN)/pytest || { status=$$?; [ $$status -ne 5 ] || echo "error: pytest collected no test" >&2; exit $$status; }

lint: export DEBUG := true
lint: $(INSTALL_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python manage.py check

migrations-check: export DEBUG := true
migrations-check: $(INSTALL_STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf .pytest_cache .ruff_cache .hypothesis test-results var/staticfiles *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
