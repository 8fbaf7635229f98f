# Every target makes its own virtual environment first, so a fresh clone needs only
# Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint bench bench-load bench-workers bench-peer install assets clean

serve: $(VENV)/.installed assets
	$(BIN)/content-graph serve $(DATA) --host $(HOST) --port $(PORT)

test: $(VENV)/.installed assets
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The playground's scripts, fetched by package name from the npm registry. Optional:
# without npm (or offline) the playground falls back to the public CDN.
assets:
	@if [ -f package.json ] && command -v npm >/dev/null 2>&1; then \
		[ -d node_modules ] && [ node_modules -nt package.json ] || npm install --no-audit --no-fund --loglevel=error || echo "npm install failed: the playground will load its scripts from the CDN"; \
	fi

# The query benchmarks (bench/README.md): 20k and 100k records, several minutes.
bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run

# The loader benchmark (bench/LOAD.md).
bench-load: $(VENV)/.installed
	$(BIN)/python bench/load.py

# serve --workers N at 100k records: shared memory, Q2 throughput, start (bench/WORKERS.md).
bench-workers: $(VENV)/.installed
	$(BIN)/python -m bench.workers

# content-graph, graphql-core and Apollo Server 5 on Node, side by side (bench/PEER.md).
# The Node peer's packages install into bench/apollo/ only (its own package-lock.json).
bench-peer: $(VENV)/.installed
	npm install --prefix bench/apollo --no-audit --no-fund --loglevel=error
	$(BIN)/python -m bench.peer

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis
