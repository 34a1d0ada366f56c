# The two commands of the README: `make demo` and `make test`.
# `make install` sets up .venv and the built front end; it is idempotent.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
DATA_DIR ?= ./labelloop-data
STAMP := $(VENV)/.installed
STATIC := src/labelloop/static/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/package.json frontend/vite.config.ts -type f 2>/dev/null)
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: install demo test test-python test-frontend chromium frontend lint clean

install: $(STAMP) $(STATIC)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(STATIC): $(STAMP) frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES) $(shell find src/labelloop/api -name '*.py')
	$(BIN)/python -m labelloop openapi > frontend/openapi.json
	cd frontend && npm run generate && npm run build

frontend: $(STATIC)

demo: install
	$(BIN)/labelloop demo --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install chromium test-frontend test-python

test-frontend: $(STATIC)
	cd frontend && npm run check

test-python: $(STAMP) $(STATIC)
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) frontend/node_modules src/labelloop/static
