# Two commands for users: `make play` (the dashboard) and `make test` (the whole suite).
# Both create .venv with Python 3.12 and install what they need first.

VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8521
SCENARIO ?= may2019

# Python 3.12 or newer: through pyenv/uv (.python-version says 3.12) or on the PATH.
PYTHON ?= $(shell for p in python3.12 python3.13 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    command -v $$p; exit 0; fi; done; \
	  if command -v uv >/dev/null 2>&1; then uv python find 3.12 2>/dev/null; fi)

.PHONY: play test test-fast lint format venv clean

$(VENV)/.base: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed: install it (e.g. 'pyenv install 3.12' or 'uv python install 3.12') and run make again."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.test: $(VENV)/.base
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

venv: $(VENV)/.base

play: $(VENV)/.base
	$(BIN)/wargame serve $(SCENARIO) --port $(PORT)

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# For developers: the same checks without the slow statistical tests.
test-fast: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -m "not slow"

format: $(VENV)/.test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info
