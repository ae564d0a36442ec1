# 还款助手 — two commands: `make run` (demo bot + web chat) and `make test` (everything).
# Both bootstrap: a Python 3.10 venv, the locked install, the database with the demo
# portfolio, and a model trained only if none matches the current data.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PY      := $(VENV)/bin/python
BIN     := $(VENV)/bin
LOCK    := constraints.txt
# the installed lock: reinstall only when the lock or pyproject changes
STAMP   := $(VENV)/.installed-$(shell cat $(LOCK) pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
# Python 3.10: python3.10 on PATH if it really runs (a pyenv shim may not), else pyenv's newest 3.10
PYTHON310 ?= $(shell for c in $$(command -v python3.10 2>/dev/null) $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.10.*/bin/python 2>/dev/null | sort -Vr); do \
  "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { echo "$$c"; break; }; done)

export BOT_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bot.db
export PYTHONDONTWRITEBYTECODE = 1
export TF_CPP_MIN_LOG_LEVEL = 3

.PHONY: help venv install db train run run-prod bench test lint stories services clean doctor

help:
	@echo "make run    - set everything up and start the bot (Rasa :5005, actions :5055, web chat)"
	@echo "make test   - set everything up and run the whole test suite"
	@echo "make train  - train a model if none matches the data;  make doctor - check the setup"
	@echo "make run-prod - prod profile: PostgreSQL + Redis + N replicas behind nginx (see deploy/README.md)"

$(PY):
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "error: Python 3.10 not found (Rasa 3.6 needs it). Install it: 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv'." >&2; exit 1; fi
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25" "setuptools<71" wheel

$(STAMP): $(PY) $(LOCK) pyproject.toml
	rm -f $(VENV)/.installed-*
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[dev]"
	touch $@

venv install: $(STAMP)

db: $(STAMP)
	@mkdir -p var
	$(BIN)/bot db init
	$(BIN)/bot console seed-demo

train: $(STAMP)
	$(PY) -m bot.training

doctor: $(STAMP)
	$(BIN)/bot doctor

run: db train
	$(BIN)/bot serve

# Production profile (deploy/README.md). Needs BOT_DATABASE_URL, BOT_TRACKER_DATABASE_URL, BOT_REDIS_URL,
# BOT_RASA_TOKEN and BOT_WEB_SECRET in the environment (never in files); BOT_REPLICAS (2), BOT_LB_PORT (8080).
# Not `db`: the demo's SQLite default would be set up for nothing; the cluster migrates and seeds PostgreSQL.
run-prod: export BOT_PROFILE = prod
run-prod: $(STAMP) train services
	$(PY) -m bot.prod.profile serve

# load test of the prod profile vs a bare Rasa baseline (bounded; see `bot bench --help`)
bench: $(STAMP) train services
	$(BIN)/bot bench --conversations 20 --levels 1,10,50

# training data and domain checks: Rasa's validator, then ours (duplicates, conflicts, eval leakage)
lint: $(STAMP)
	$(BIN)/rasa data validate --domain domain.yml --data data --config config.yml
	$(BIN)/bot nlu lint

# conversation tests: every flow predicted exactly (NLU on our own test messages + dialogue)
stories: train
	$(BIN)/rasa test core --model $$($(PY) -m bot.training --print) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out reports/stories

# Debian's chromium + chromedriver (widget and console tests; never a downloaded browser) and nginx
services:
	@bash scripts/install-services.sh

test: db train lint services
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory stories

clean:
	rm -rf $(VENV) models var .pytest_cache
