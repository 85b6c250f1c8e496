# The quick start: `make run` serves on http://127.0.0.1:8000, `make test` runs the tests.
# Each creates its own virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: run test lint openapi migrate clean web browser-test

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Debrief needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/debrief serve --host $(HOST) --port $(PORT)

# The tests run in parallel, one process per core (at most 4; each module stays in one
# process); `make test PYTEST_WORKERS=0` runs them in this one.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --maxprocesses=4 --dist loadscope

test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_PARALLEL)

# The reference web page (examples/web), from another origin than the API: start the API
# with DEBRIEF_CORS_ORIGINS='["http://127.0.0.1:8001"]' make run.
web:
	$(PYTHON) -m http.server 8001 --bind 127.0.0.1 --directory examples/web

# The page in headless Chromium (needs Debian's chromium and chromium-driver).
browser-test: $(VENV)/.installed-dev
	$(BIN)/pytest -m browser

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

openapi: $(VENV)/.installed-run
	$(BIN)/debrief openapi

migrate: $(VENV)/.installed-run
	$(BIN)/debrief migrate

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .hypothesis
