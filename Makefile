# Every target makes its own virtual environment first, so a fresh clone needs only
# Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint bench bench-load bench-workers bench-reload bench-peer install assets clean

serve: $(VENV)/.installed-serve assets
	$(BIN)/content-graph serve $(DATA) --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test assets
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The checkout's environment with the test tools: .venv/bin/content-graph, pytest, ruff.
# To put content-graph on your PATH instead: pipx install . (docs/cli.md).
install: $(VENV)/.installed-test

# Two markers: `make serve` installs the server's own dependencies only; `make test`
# adds the test tools (Playwright, hypothesis, ruff...) on top.
$(VENV)/.installed-serve: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-serve
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The playground's scripts, fetched by package name from the npm registry. Optional:
# without npm (or offline) the playground falls back to the public CDN.
assets:
	@if [ -f package.json ] && command -v npm >/dev/null 2>&1; then \
		[ -d node_modules ] && [ node_modules -nt package.json ] || npm install --no-audit --no-fund --loglevel=error || echo "npm install failed: the playground will load its scripts from the CDN"; \
	fi

# The query benchmarks (bench/README.md): 20k and 100k records, several minutes.
bench: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run

# The loader benchmark (bench/LOAD.md).
bench-load: $(VENV)/.installed-test
	$(BIN)/python bench/load.py

# serve --workers N at 100k records: shared memory, Q2 throughput, start (bench/WORKERS.md).
bench-workers: $(VENV)/.installed-test
	$(BIN)/python -m bench.workers

# serve --watch: from a file write to a query that sees it, 1k and 100k records (bench/RELOAD.md).
bench-reload: $(VENV)/.installed-test
	$(BIN)/python -m bench.reload

# content-graph, graphql-core and Apollo Server 5 on Node, side by side (bench/PEER.md).
# The Node peer's packages install into bench/apollo/ only (its own package-lock.json).
bench-peer: $(VENV)/.installed-test
	npm install --prefix bench/apollo --no-audit --no-fund --loglevel=error
	$(BIN)/python -m bench.peer

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis build dist
