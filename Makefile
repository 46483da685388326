# One venv per checkout; every target installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test unit lint clean redis

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Integration tests need a real redis-server; install it when missing (CI runs as root).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "redis-server not found: installing it"; \
	  (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null) || \
	  echo "warning: could not install redis-server"; }

test: install redis
	$(BIN)/python -m pytest -q

unit: install
	$(BIN)/python -m pytest -q tests/unit

lint: install
	$(BIN)/ruff check orchestrator worker definitions tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
