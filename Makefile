# Palimpsest — every target sets up what it needs; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_DEBUG ?= 1

.PHONY: run serve test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_entities
	$(BIN)/python manage.py import_articles seeds/ --publish
	$(BIN)/python manage.py suggest_entities
	$(BIN)/python manage.py create_demo_accounts
	@echo ""
	@echo "Palimpsest is serving on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production-style: gunicorn (config/gunicorn.conf.py) on $(HOST):$(PORT) against PostgreSQL and Redis.
# Migrations are a separate release step: `DJANGO_DEBUG=0 .venv/bin/python manage.py migrate`.
serve: export DJANGO_DEBUG = 0
serve: export GUNICORN_BIND ?= $(HOST):$(PORT)
serve: export DJANGO_ALLOWED_HOSTS ?= $(HOST),localhost
serve: $(VENV)/.installed
	@missing=""; for name in DJANGO_SECRET_KEY DATABASE_URL REDIS_URL; do \
	  [ -n "$$(printenv $$name)" ] || missing="$$missing $$name"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make serve: set$$missing first (see README.md, \"Running in production\")." >&2; exit 2; fi
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/gunicorn --config config/gunicorn.conf.py config.wsgi

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Each bench-NAME runs bench/<script>; see bench/README.md. The load, fault and perf benchmarks drive
# gunicorn on loopback with PostgreSQL and Redis (wrk is installed if missing); faults restarts PostgreSQL.
BENCH_SCRIPTS := import:bench_import anchoring:bench_anchoring glossary:bench_glossary \
	corrections:bench_corrections search:bench_search load:load faults:faults perf:perf

bench: bench-import bench-anchoring bench-glossary bench-corrections

bench-%: $(VENV)/.installed-dev
	$(BIN)/python bench/$(patsubst $*:%,%,$(filter $*:%,$(BENCH_SCRIPTS))).py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
