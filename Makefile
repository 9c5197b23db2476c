# The README's two commands: `make demo` and `make test`. Both create .venv and install on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/qingling demo

test: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/autoclose.py
	$(BIN)/python bench/callback.py
	$(BIN)/python bench/outbox.py

lint: $(STAMP)
	$(BIN)/ruff check .
