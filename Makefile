# Two commands for a fresh machine with only Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test install lint format messages clean-demo

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: web (gunicorn), celery worker and celery beat on the embedded default, with demo data
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Megaproject is starting at  http://127.0.0.1:8000/"
	@echo "  API docs  http://127.0.0.1:8000/api/docs/   admin  http://127.0.0.1:8000/admin/"
	@echo "  Emails are written to var/mail/. Press Ctrl-C to stop web, worker and beat."
	@echo ""
	$(BIN)/honcho --procfile Procfile.dev start

## test: the whole suite (SQLite unless DATABASE_URL / REDIS_URL say otherwise)
test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## messages: refresh and compile the Korean translations (needs GNU gettext)
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l ko --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages -l ko
