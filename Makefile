# Timebank: `make run` serves the demo county; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app timebank
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint bench translations extract-messages clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d timebank/translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --no-wrap --ignore-dirs=".* __pycache__" -o timebank/translations/messages.pot .
	$(BIN)/pybabel update -i timebank/translations/messages.pot -d timebank/translations --no-fuzzy-matching --ignore-pot-creation-date --no-wrap --ignore-obsolete

run: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) demo seed
	TIMEBANK_RUN_SCHEDULER=1 $(FLASK) serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev-installed translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check timebank tests bench wsgi.py

bench: $(VENV)/.dev-installed translations
	$(BIN)/python bench/run.py

clean-venv:
	rm -rf $(VENV)
