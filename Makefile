# Two commands on a fresh machine: `make run` runs the shop, `make test` runs the tests.
# The production stack (docker-compose.yml) has its own targets below: up, down, logs, restart,
# shell, db-shell, backup, restore, status.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
COMPOSE ?= docker compose
BACKUP_DIR ?= backups

.PHONY: run test test-unit lint services set-webhook bench clean doctor up down logs restart shell db-shell backup restore status

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

## Run the whole test suite: unit, integration (real PostgreSQL and Redis, started here if they do
## not answer) and end to end (the Procfile's processes, WireGuard in namespaces, a browser).
test: $(VENV)/.dev services
	$(PY) -m pytest $(PYTEST_ARGS)

## The unit tests alone: no PostgreSQL, no Redis, no network; seconds.
test-unit: $(VENV)/.dev
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

## The layer contracts (.importlinter) and pyflakes/import order (ruff.toml).
lint: $(VENV)/.dev
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check lib functions jobs tests bench local_runner.py gunicorn.conf.py

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

## Check the live setup (tokens, webhook, database, Redis, WireGuard host, Proxmox) and say what is wrong.
doctor: $(VENV)/.runtime
	$(PY) local_runner.py doctor

# ---- production stack: docker-compose.yml (PostgreSQL, Redis, web, worker, scheduler, Caddy) ----

## Build the image and start (or update) every service in the background.
up:
	$(COMPOSE) up -d --build

## Stop and remove the containers (the database and Redis volumes stay).
down:
	$(COMPOSE) down

## Follow the logs of every service, or of one: make logs SERVICE=worker
logs:
	$(COMPOSE) logs -f --tail=200 $(SERVICE)

## Restart every service, or one: make restart SERVICE=web (after editing .env or plans.yaml)
restart:
	$(COMPOSE) restart $(SERVICE)

## A shell in the web container (python local_runner.py doctor, set-webhook, ... work there).
shell:
	$(COMPOSE) exec web bash

## psql on the shop's database.
db-shell:
	$(COMPOSE) exec postgres psql -U shop -d shop

## A compressed, dated dump in $(BACKUP_DIR)/ (with DATABASE_URL set: of that database, by the local pg_dump).
backup:
	@BACKUP_DIR="$(BACKUP_DIR)" bash scripts/backup.sh

## Load a dump: make restore FILE=backups/shop-20250101-030000.sql.gz (stops web, worker, scheduler meanwhile).
restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=$(BACKUP_DIR)/shop-YYYYmmdd-HHMMSS.sql.gz" >&2; exit 2; }
	bash scripts/restore.sh "$(FILE)"

## What runs, and the doctor's verdict on the live setup.
status:
	$(COMPOSE) ps
	$(COMPOSE) exec -T web python local_runner.py doctor
