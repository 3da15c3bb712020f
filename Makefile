# The two commands that matter: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
ASSETS := static/css/app.css static/govuk/all.bundle.js static/vendor/chart.umd.min.js static/vendor/axe.min.js
HOST ?= 127.0.0.1
PORT ?= 8000

export DJANGO_SETTINGS_MODULE := sharing_app.settings

.PHONY: run serve dev test lint audit install assets migrate seed clean e2e bench bench-quick

run: install assets migrate seed serve

# The demo runs as production does (gunicorn, DEBUG off) but over plain HTTP on loopback.
RUN_ENV = SECURE_COOKIES=false SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}"

var/secret_key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

serve: var/secret_key
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v 0
	$(RUN_ENV) $(BIN)/gunicorn sharing_app.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

dev: var/secret_key
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP)

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

assets: $(ASSETS)

migrate: install var/secret_key
	$(RUN_ENV) $(PY) manage.py migrate --noinput

seed: install var/secret_key
	$(RUN_ENV) $(PY) manage.py seed_demo

test: install assets
	$(BIN)/pytest -n 2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy .

clean:
	rm -rf $(VENV) node_modules static/css static/govuk static/vendor var
