# Two commands on a fresh machine: `make run` runs the shop, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test services set-webhook bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Run the whole shop in one process (no configuration needed; reads .env when present).
run: $(VENV)/.runtime
	$(PY) local_runner.py

## Run the test suite against real PostgreSQL and Redis (started here if they do not answer).
test: $(VENV)/.dev services
	$(PY) -m pytest $(PYTEST_ARGS)

services:
	bash scripts/ensure-services.sh

## Register PUBLIC_URL/telegram_webhook, the commands and the mini app button with Telegram.
set-webhook: $(VENV)/.runtime
	$(PY) local_runner.py set-webhook

## Benchmarks (see bench/README.md).
bench: $(VENV)/.dev services
	$(PY) bench/webhook_ack.py

clean:
	rm -rf $(VENV) .pytest_cache
