# The few commands a newcomer needs. `make run` and `make test` install everything they use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install messages run demo test lint typecheck checks pytest browser bench clean

install: $(STAMP) messages

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Compiled translation catalogs are build output: made from the .po files with Babel (no gettext needed).
messages: $(STAMP)
	@for po in cartera/locale/*/LC_MESSAGES/django.po; do \
	  [ -f "$$po" ] || continue; \
	  $(BIN)/pybabel compile -i "$$po" -o "$${po%.po}.mo" >/dev/null || exit 1; \
	done

# The web server and, beside it, the worker that runs queued background tasks (insights refreshes,
# webhooks, imports); stopping the server stops the worker.
run: install
	$(BIN)/cartera migrate --noinput
	$(BIN)/cartera demo --if-empty
	$(BIN)/cartera db_worker --queue-name '*' --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/cartera runserver $(HOST):$(PORT)

demo: install
	$(BIN)/cartera migrate --noinput
	$(BIN)/cartera demo

# The browser tests drive Debian's Chromium; install it when missing (root on Debian, as in CI).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need /usr/bin/chromium: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy cartera config

checks: install
	$(BIN)/cartera check --fail-level WARNING
	$(BIN)/cartera makemigrations --check --dry-run

pytest: install browser
	$(BIN)/pytest

test: lint typecheck checks pytest

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
