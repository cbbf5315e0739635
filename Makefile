# 府院联动工作平台 — the commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
TEST_ENV := DJANGO_SETTINGS_MODULE=fuyuan.settings_test
# Two test workers (this machine has two cores); `make test PYTEST_ARGS=` runs them one by one.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint security audit load format bench messages install install-dev services clean backup restore

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: install python3.11 (or run make PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run [DEMO=1]: the site, a Celery worker and beat, in the foreground; Ctrl-C stops them all.
## DEMO=1 loads the demo accounts of every role and a small demo dataset (manage.py load_demo) first.
run: install
	@FUYUAN_DEMO=$(DEMO) ./scripts/run.sh

## make test: the whole suite on PostgreSQL and Redis (started or installed when missing), Chromium included.
test: install-dev
	@./scripts/services.sh
	@./scripts/chromium.sh
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

## make lint: ruff (style, complexity C901 <= 15), the module-size check, the import contracts, mypy.
## mypy checks MYPY_PACKAGES (typed with the django-stubs and drf-stubs plugins, settings: fuyuan.settings_test).
MYPY_PACKAGES := fuyuan members attachments stats search cases meetings plans library
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/check_module_size.py
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(VENV)/bin/mypy $(MYPY_PACKAGES)

## make security: bandit over the application code (config and justified skips in pyproject.toml).
SECURITY_DIRS := fuyuan members attachments cases meetings plans library search $(wildcard stats)
security: install-dev
	$(VENV)/bin/bandit -c pyproject.toml -q -r $(SECURITY_DIRS) -x tests

## make audit: pip-audit over the pinned requirements (needs pypi.org's per-version JSON or osv.dev).
## --strict fails when a package could not be checked, so an unreachable service never reads as clean.
AUDIT_SERVICE ?= osv
audit: install-dev
	$(VENV)/bin/pip-audit --strict --progress-spinner off --vulnerability-service $(AUDIT_SERVICE) -r requirements.txt -r requirements-dev.txt

## make load [LOAD_USERS=200 LOAD_TIME=5m LOAD_SCALE=full|small]: locust against gunicorn on the benchmark dataset.
## SCALE_OUT=1: nginx in front of two gunicorns, two Celery workers and one beat, then the correctness checks.
load: install-dev
	@./scripts/services.sh
	$(PY) -m load

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make bench [BENCH_ARGS="--scale full" or "--only levels"]: timings and query counts on a generated dataset
## (PostgreSQL, every level), printed beside their targets; --scale full: 1,000,000 referrals instead of 200,000.
bench: install-dev
	@./scripts/services.sh
	$(TEST_ENV) $(PY) -m bench $(BENCH_ARGS)

## make messages: refresh the gettext catalogues after changing user-facing strings.
messages: install-dev
	cd $(CURDIR) && $(TEST_ENV) $(PY) manage.py makemessages -l en -l zh_Hans --no-obsolete -i ".venv/*" -i "static/vendor/*"
	cd $(CURDIR) && $(TEST_ENV) $(PY) manage.py compilemessages -i .venv

clean:
	rm -rf var/ staticfiles/ .pytest_cache

## make backup [DIR=backups/NAME]: database (pg_dump) and uploaded files; make restore DIR=… puts them back.
DIR ?= backups/$(shell date +%Y%m%d-%H%M%S)
backup: install
	$(PY) manage.py backup --to $(DIR)

restore: install
	@test -n "$(DIR)" || { echo "usage: make restore DIR=backups/NAME"; exit 1; }
	$(PY) manage.py restore --from $(DIR) --yes
