# Newsroom: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt requirements/prod.txt | sha1sum | cut -c1-12)

# Local defaults; anything set in the environment wins.
export DEBUG ?= true
export PORT ?= 8000

.PHONY: run test lint format bench eval eval-tagging eval-search backup restore services-start services-stop services-status clean

run: $(STAMP)
	scripts/with-services.sh scripts/run.sh

test: $(STAMP)
	scripts/services.sh install
	scripts/ensure-chromium.sh
	scripts/ensure-drill-tools.sh
	test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	scripts/with-services.sh $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	scripts/with-services.sh $(PY) -m benchmarks $(BENCH_ARGS)

# Both quality evaluations; each alone with its own arguments: make eval-search EVAL_ARGS=--unjudged
eval: $(STAMP)
	scripts/with-services.sh sh -c '$(PY) manage.py evaluate_tagging $(EVAL_TAGGING_ARGS) && $(PY) manage.py evaluate_search $(EVAL_SEARCH_ARGS)'

eval-tagging: $(STAMP)
	scripts/with-services.sh $(PY) manage.py evaluate_tagging $(EVAL_ARGS)

eval-search: $(STAMP)
	scripts/with-services.sh $(PY) manage.py evaluate_search $(EVAL_ARGS)

# The database (DATABASE_URL, else the private one) and MEDIA_ROOT: docs/operations.md#backups-and-restore
backup: $(STAMP)
	scripts/with-services.sh $(PY) manage.py backup $(BACKUP_ARGS)

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<timestamp> [REPLACE=1]" >&2; exit 2; }
	scripts/with-services.sh $(PY) manage.py restore "$(FILE)" $(if $(REPLACE),--replace)

services-start:
	scripts/services.sh start
services-stop:
	scripts/services.sh stop
services-status:
	scripts/services.sh status

$(STAMP): requirements/base.txt requirements/dev.txt requirements/prod.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# Everything under var/ but the backups.
clean:
	scripts/services.sh stop || true
	find var -mindepth 1 -maxdepth 1 ! -name backups -exec rm -rf {} + 2>/dev/null || true
	rm -rf staticfiles/
