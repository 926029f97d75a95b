# The README's commands. Each target is a script in bin/ so it also works without make.
.PHONY: run test setup services lint format worker beat

run:        ## Run the app with demo data on SQLite, tasks in-process (http://127.0.0.1:8000)
	bin/run

test:       ## Lint, then the whole suite on PostgreSQL, Redis and Chromium, then a SQLite smoke run
	bin/test

setup:      ## Create .venv and install the pinned Python and front-end packages
	bin/setup

services:   ## Start or install PostgreSQL, Redis and Chromium for the tests
	bin/services

lint:       ## ruff check and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:     ## Fix what ruff can fix
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

worker:     ## A Celery worker (needs REDIS_URL)
	.venv/bin/celery -A scorecard worker --loglevel=INFO

beat:       ## The Celery beat scheduler, reading its schedule from the database (needs REDIS_URL)
	.venv/bin/celery -A scorecard beat --loglevel=INFO
