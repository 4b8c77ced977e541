# Everyday commands. `make run` and `make test` are the two a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION ?= 0.13.9
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PYTEST_ARGS ?=
# Test processes for `make test` (pytest-xdist): `auto` is one per CPU, `0` runs in-process.
PYTEST_WORKERS ?= auto
# Locally the test databases are kept between runs (new migrations are still applied; pass
# PYTEST_ARGS=--create-db after editing an existing one); CI builds them fresh.
ifeq ($(CI),true)
TEST_DB := --create-db
else
TEST_DB := --reuse-db
endif

.PHONY: help setup run test test-browser test-all lint typecheck check-deploy compose-check bench bench-quick bench-pdf bench-report screenshots clean

help:
	@echo "make run           set up, migrate, load the demo and serve on http://127.0.0.1:8000"
	@echo "make test          the test suite in parallel, random order (SQLite; PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set)"
	@echo "make test-browser  the browser tests in headless Chromium (/usr/bin/chromium)"
	@echo "make lint          ruff, mypy, migrations in step"
	@echo "make typecheck     mypy with django-stubs over the app code"
	@echo "make bench         every key page at scale against Django's floor, via gunicorn (~5 min)"
	@echo "make bench-quick   the same with fewer requests and 10 s load runs (~2 min)"
	@echo "make bench-pdf     the roadmap PDF export against its engines alone, at scale (~2 min)"
	@echo "make bench-report  the quarterly report job against its engines alone, at scale (~1 min)"

# The virtual environment, from the lock file. uv lives inside it, so nothing is
# installed outside the project folder.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Python 3.12+ is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

$(UV): $(BIN)/python
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

setup: $(UV)
	$(UV) sync --locked --inexact --quiet

run: setup
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	@$(BIN)/python -c 'import weasyprint' 2>/dev/null || echo "WeasyPrint's system libraries are missing: PDF export will fail (see README)."
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup
	$(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS) $(TEST_DB) $(PYTEST_ARGS)

# Serial: the tests share one live_server and one browser.
test-browser: setup
	$(BIN)/pytest -m browser $(TEST_DB) $(PYTEST_ARGS)

test-all: test test-browser

lint: setup typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# The files and settings are in pyproject.toml ([tool.mypy]).
typecheck: setup
	$(BIN)/mypy

# Production-like settings: everything a deploy sets, then Django's deploy checklist.
check-deploy: setup
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DEBUG=false ALLOWED_HOSTS=roadmap.example.com SECURE_SSL_REDIRECT=true SECURE_COOKIES=true \
	SECURE_HSTS_SECONDS=60 BEHIND_TLS_PROXY=true \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

compose-check:
	docker-compose -f docker-compose.yml config -q

# PostgreSQL from DATABASE_URL (default: a local `ldbench` database, created, migrated and
# filled by `manage.py scale_data` when missing). See the README's "Benchmarks".
BENCH := DJANGO_SETTINGS_MODULE=roadmap_site.settings_bench $(BIN)/python manage.py bench
BENCH_ARGS ?=

bench: setup
	$(BENCH) $(BENCH_ARGS)

bench-quick: setup
	$(BENCH) --warm 5 --changed 2 --seconds 10 $(BENCH_ARGS)

# The roadmap PDF export against Kaleido and WeasyPrint alone, on the scale and demo data.
bench-pdf: setup
	DJANGO_SETTINGS_MODULE=roadmap_site.settings_bench $(BIN)/python manage.py bench_pdf $(BENCH_ARGS)

# The quarterly report job against Kaleido and WeasyPrint alone, on the scale and demo data.
bench-report: setup
	DJANGO_SETTINGS_MODULE=roadmap_site.settings_bench $(BIN)/python manage.py bench_report $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-artifacts
