# Palimpsest — every target sets up what it needs; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_DEBUG ?= 1

.PHONY: run test lint bench bench-import bench-anchoring bench-glossary clean

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
	$(BIN)/python manage.py import_articles seeds/ --publish
	$(BIN)/python manage.py create_demo_accounts
	@echo ""
	@echo "Palimpsest is serving on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: bench-import bench-anchoring bench-glossary

bench-import: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_import.py

bench-anchoring: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_anchoring.py

bench-glossary: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_glossary.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
