# The two commands that matter: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
EMOJI_FONT := templates/decisions/pdf/fonts/noto-emoji/400.css
ASSETS := static/css/app.css static/govuk/all.bundle.js static/vendor/chart.umd.min.js static/vendor/axe.min.js $(EMOJI_FONT)
HOST ?= 127.0.0.1
PORT ?= 8000

export DJANGO_SETTINGS_MODULE := sharing_app.settings

.PHONY: run serve dev test e2e lint audit install system-deps assets migrate seed demo-code clean bench bench-quick keys upgrade-test

run: install assets migrate seed serve

# The demo runs as production does (gunicorn, DEBUG off) but over plain HTTP on loopback.
# The access log has the path but not the query string (audit log filters name people), nor the address,
# browser or referrer: those are personal data, and the audit trail keeps them where they matter.
ACCESS_LOG_FORMAT = %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms
# SITE_URL makes the links in notification emails absolute (the worker refuses to start without it).
RUN_ENV = DEMO=true SECURE_COOKIES=false SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"

var/secret_key:
	mkdir -p -m 700 var
	(umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@)
	chmod 600 $@

# Demo signing keys under var/ (git-ignored, never committed): the audit checkpoint key (Ed25519) and a
# self-signed PDF signing certificate (PKCS#12). Production supplies its own through the environment.
KEYS := var/audit_signing_key.pem var/pdf_signing.p12

$(KEYS) &: | $(STAMP) var/secret_key
	$(RUN_ENV) $(PY) manage.py make_demo_keys

keys: $(KEYS)

serve: var/secret_key keys
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v 0
# The background worker (bulk PDF exports, chain checks, the hourly audit checkpoint) runs beside the web
# server and stops with it.
	$(RUN_ENV) $(PY) manage.py audit_checkpoint --schedule
	$(RUN_ENV) $(PY) manage.py housekeeping --schedule
	$(RUN_ENV) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/gunicorn sharing_app.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --worker-class gthread \
		--keep-alive 75 --access-logfile - \
		--access-logformat '$(ACCESS_LOG_FORMAT)'

dev: var/secret_key
	DEMO=true DEBUG=true SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" $(PY) manage.py runserver $(HOST):$(PORT)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP) system-deps

FONT_PACKAGES := fonts-noto-core fonts-noto-cjk fonts-symbola

# WeasyPrint subsets fonts with HarfBuzz's subsetter when it is there (PDFs ~2x faster); optional.
system-deps:
	@ldconfig -p | grep -q libharfbuzz-subset || { [ "$$(id -u)" = 0 ] && \
	  (apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 || \
	   (apt-get update -qq && apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1)); } || \
	  echo "Note: install libharfbuzz-subset0 for faster PDFs"
# The PDF prints names in every script a family in England may write: Debian's Noto fonts (Arabic, Hebrew,
# Indic scripts; Chinese, Japanese, Korean) and Symbola (emoji in black and white, safe in PDF/A).
	@missing=$$(for p in $(FONT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	    (apt-get update -qq && apt-get install -y -qq $$missing >/dev/null); \
	  else echo "Install $$missing (as root) so PDFs can print every script"; fi; \
	fi

static/css/app.css: static_src/app.scss $(NPM_STAMP)
	mkdir -p static/css
	npx sass --pkg-importer=node --no-source-map --style=compressed --quiet-deps static_src/app.scss $@

static/govuk/all.bundle.js: $(NPM_STAMP)
	mkdir -p static/govuk
	cp node_modules/govuk-frontend/dist/govuk/all.bundle.js node_modules/govuk-frontend/dist/govuk/all.bundle.js.map static/govuk/

static/vendor/chart.umd.min.js: $(NPM_STAMP)
	mkdir -p static/vendor
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/
	sed -i '/sourceMappingURL/d' $@

static/vendor/axe.min.js: $(NPM_STAMP)
	mkdir -p static/vendor
	cp node_modules/axe-core/axe.min.js static/vendor/

# Emoji for the PDF: Noto Emoji in black and white (outline glyphs, embeddable in PDF/A; Debian's Symbola stops at
# Unicode 9). Only the woff2 files: the woff fallback in the stylesheet is dropped so nothing is fetched twice.
$(EMOJI_FONT): $(NPM_STAMP)
	mkdir -p $(@D)/files
	cp node_modules/@fontsource/noto-emoji/files/noto-emoji-*-400-normal.woff2 node_modules/@fontsource/noto-emoji/LICENSE $(@D)/
	mv $(@D)/noto-emoji-*.woff2 $(@D)/files/
	sed -E 's/, url\([^)]*\.woff\) format\(.woff.\)//' node_modules/@fontsource/noto-emoji/400.css > $@

assets: $(ASSETS)

migrate: install var/secret_key
	$(RUN_ENV) $(PY) manage.py migrate --noinput

seed: install var/secret_key
	$(RUN_ENV) $(PY) manage.py seed_demo

# The current two-step code of a demo account made by seed_demo: make demo-code WHO=supervisor.north
demo-code: var/secret_key
	@test -n "$(WHO)" || { echo "Say whose code: make demo-code WHO=supervisor.north"; exit 2; }
	@$(RUN_ENV) $(PY) manage.py demo_code "$(WHO)"

test: install assets
	$(BIN)/pytest -n 2 -m "not e2e"

# Browser journeys in Debian's Chromium (Playwright's own browser download does not work here).
/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium

e2e: install assets keys /usr/bin/chromium
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -p no:xdist -m e2e tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy .

clean:
	rm -rf $(VENV) node_modules static/css static/govuk static/vendor var templates/decisions/pdf/fonts/noto-emoji

# Performance (bench/README.md): a throw-away PostgreSQL database per size on 127.0.0.1:5432, gunicorn on
# 127.0.0.1:81xx, results in bench/results.json. bench-quick (10,000 decisions) runs in CI; BENCH_DECISIONS
# sets the full run's larger size (default 1,000,000).
bench: install assets keys
	$(PY) -m bench.run

bench-quick: install assets keys
	$(PY) -m bench.run --quick

# Every earlier release in releases.toml upgraded to this checkout and checked (upgrades/run.py): on PostgreSQL
# (127.0.0.1:5432) and SQLite; UPGRADE_DATABASES=postgresql for one. Each release's files and virtualenv stay under
# var/upgrade-test/ for the next run.
UPGRADE_DATABASES ?= both

upgrade-test: install assets
	$(PY) -m upgrades.run --database $(UPGRADE_DATABASES)

# Security audit (also run by .ci/run): known vulnerabilities in the installed packages, bandit over the
# project's code (settings in pyproject.toml), and ruff's flake8-bandit rules. pip-audit needs the PyPI
# advisory service; a package it cannot look up is skipped, so tools/pip_audit_summary.py says how many were
# audited and lists those that were not. A known vulnerability fails the step; packages not audited fail it
# only with PIP_AUDIT_STRICT=--strict (use that where CI can reach the advisory service).
PIP_AUDIT_FLAGS ?=
PIP_AUDIT_STRICT ?=

audit: install
	@report=$$(mktemp); trap 'rm -f $$report' EXIT; \
	$(BIN)/pip-audit --local --skip-editable --progress-spinner off -f json -o $$report $(PIP_AUDIT_FLAGS) \
		>/dev/null 2>&1 || test -s $$report; \
	$(PY) tools/pip_audit_summary.py $$report $(PIP_AUDIT_STRICT)
	$(BIN)/bandit -c pyproject.toml -r accounts audit decisions exports govuk oversight housekeeping retention sharing_app manage.py -q
	$(BIN)/ruff check --select S --ignore S101 .
