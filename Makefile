# Hearth: `make run` serves the site with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Finds (or creates, or starts) a PostgreSQL database and exports its URL.
WITH_DATABASE = url="$$($(PY) -m community.devdb)" || exit 1; export DATABASE_URL="$$url";

.PHONY: run test bench backup restore lint format install demo clean-db messages

# DEBUG is off unless set: development says so. A Procrastinate worker runs beside the
# server (notifications, e-mail, the daily retention job) and stops with it.
run: $(STAMP)
	@$(WITH_DATABASE) export DEBUG=1; \
	  $(PY) manage.py migrate --noinput && \
	  $(PY) manage.py demo_data && \
	  { $(PY) manage.py procrastinate worker & worker=$$!; } && \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM && \
	  echo "Hearth is at http://$(HOST):$(PORT)/ (Ctrl-C stops it and its worker)" && \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	@$(WITH_DATABASE) DEBUG=1 $(PY) -m pytest $(PYTEST_ARGS)

# Load benchmark (bench/README.md): BENCH_SCALE=full|medium|small|tiny, BENCH_REBUILD=1.
BENCH_SCALE ?= full
bench: $(STAMP)
	@$(WITH_DATABASE) $(PY) -m bench.run --scale $(BENCH_SCALE)

# Backups (community/backup.py): `make backup` writes $(BACKUP_DIR)/<UTC date>/ with the
# database (one pg_dump snapshot), the media folder and a manifest; `make restore FROM=<that
# directory>` loads one into an empty DATABASE_URL and an empty MEDIA_ROOT.
BACKUP_DIR ?= backups
backup: $(STAMP)
	@$(WITH_DATABASE) $(PY) -m community.backup backup --into "$(BACKUP_DIR)"

restore: $(STAMP)
	@test -n "$(FROM)" || { echo "Say which backup: make restore FROM=$(BACKUP_DIR)/<date>"; exit 2; }
	@$(WITH_DATABASE) $(PY) -m community.backup restore "$(FROM)"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(STAMP)

# Compiles Hearth's wording for Django's and allauth's texts (locale/en_GB/LC_MESSAGES/django.po);
# the .mo is committed, so only an edit of the .po needs this (GNU gettext's msgfmt).
messages: $(STAMP)
	DEBUG=1 $(PY) manage.py compilemessages --locale en_GB --ignore '$(VENV)/*' --ignore 'var/*'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hearth needs Python 3.11 or newer (set PYTHON=python3.x).")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# Stops and removes the project-local PostgreSQL cluster, if `make` made one.
clean-db:
	@if [ -f .pgdata/PG_VERSION ]; then pg_ctl -D .pgdata stop -m fast || true; rm -rf .pgdata; fi
