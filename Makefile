# Guanxi developer commands. `make help` lists them; the work is done by scripts/*.sh and *.py.
# Two commands matter: `make demo` (a running CRM with demo data) and `make test` (everything CI runs).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
BENCH_SCALE ?= small

.PHONY: help setup demo test lint format bench messages clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

setup: ## Install everything (Python env via uv, npm packages, vendored files, catalogs); fast when done
	@bash scripts/setup.sh

demo: setup ## Run the demo on http://127.0.0.1:PORT (default 8000) (migrate, demo data, worker + server)
	@bash scripts/demo.sh

test: setup ## Lint, format check, migration check and the whole test suite (pytest -n 2)
	@bash scripts/test.sh

lint: setup ## ruff check + format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup ## Reformat the code and apply safe lint fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup ## Run the benchmarks (BENCH_SCALE=small|full) and rewrite docs/benchmarks.md
	BENCH_SCALE=$(BENCH_SCALE) $(PY) bench/run.py

messages: setup ## Compile translation catalogs (.po -> .mo) with polib
	$(PY) scripts/compile_messages.py --force

clean: ## Remove installed and generated files (keeps the database, uploads and secret key in var/)
	rm -rf $(VENV) node_modules guanxi/static/vendor var/stamps var/tools var/static var/cache var/bench \
	       .pytest_cache .ruff_cache .mypy_cache test-results
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
