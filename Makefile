# Two commands for a newcomer:  `make run`  (the application)  and  `make test`  (the tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app

.PHONY: run test setup migrate seed bench bench-smoke clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

migrate: setup
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) bgjobs seed

## The application: web on http://127.0.0.1:5000, one RQ worker, the scheduler, demo data.
run: seed
	$(FLASK) bgjobs run --port $(or $(PORT),5000) --workers $(or $(WORKERS),1)

## The tests: SQLite and an embedded Redis unless TEST_DATABASE_URL / TEST_REDIS_URL say otherwise.
## The browser tests need Chromium: scripts/ensure-chromium installs it or says how.
test: setup
	scripts/ensure-chromium
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench.run

bench-smoke: setup
	$(PY) -m bench.run --smoke

clean:
	rm -rf $(VENV) node_modules instance
