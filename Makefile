# The front door: `make run` to talk to the assistant, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONDONTWRITEBYTECODE := 1
# Rasa's own tracker store still uses the SQLAlchemy 1.x API; ours is 2.0-style throughout.
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

MODEL := models/council.tar.gz
SPACY := var/spacy/council_en
# The model's inputs: training data, domain, config, and the code of its own components.
TRAINING_INPUTS := $(shell find data domain config.yml bot/nlp bot/safety -type f -not -name '*.pyc' 2>/dev/null | sort)

.PHONY: help run shell notify test bench train install db lint validate test-python test-nlu test-stories clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-13s %s\n", $$1, $$2}'

run: install train db ## Start the assistant (Rasa + action server) with the demo council; Ctrl-C stops all
	@scripts/run.sh

shell: install train db ## Chat with the assistant in this terminal instead of the browser
	@scripts/run.sh --shell

test: install lint validate train test-python test-nlu test-stories ## Everything CI checks: lint and types, data, unit tests, training, NLU and dialogue tests
	@echo "make test: all checks passed"

bench: install train db ## Measure accuracy, out-of-scope answers, unrelated questions and everyday replies, urgent recall and false alarms, speed, load and the insight page (JSON lines)
	@$(PY) -m bot.bench.nlu
	@$(PY) -m bot.bench.understanding
	@$(PY) -m bot.bench.urgent
	@$(PY) -m bot.bench.load
	@$(PY) -m bot.bench.insight

notify: install db ## Send the bin-day reminders due now (what cron or a systemd timer runs)
	$(PY) -m bot notify run-due $(if $(AT),--at $(AT))

install: $(VENV)/.installed ## Create .venv with Python 3.10 and the pinned dependencies

$(VENV)/.installed: pyproject.toml constraints.txt
	@interpreter=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
		echo "Creating $(VENV) with $$interpreter"; rm -rf $(VENV); "$$interpreter" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade "pip==24.2"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

$(SPACY)/meta.json: $(wildcard data/entity_patterns/*.jsonl) bot/nlp/pipeline.py $(VENV)/.installed
	$(PY) -m bot.nlp.pipeline --output $(SPACY)

train: install $(SPACY)/meta.json ## Train the model if data/, domain/ or config.yml changed since the last training
	@fingerprint=$$(cat $(TRAINING_INPUTS) $(SPACY)/meta.json | sha256sum | cut -d' ' -f1); \
	if [ -f $(MODEL) ] && [ "$$(cat models/.fingerprint 2>/dev/null)" = "$$fingerprint" ]; then \
		echo "Model is up to date ($(MODEL))"; \
	else \
		echo "Training the model (inputs changed)"; \
		start=$$(date +%s); \
		$(RASA) train --data data --domain domain --config config.yml --out models \
			--fixed-model-name council --force --quiet || exit 1; \
		echo "$$fingerprint" > models/.fingerprint; \
		echo "$$(( $$(date +%s) - start ))" > models/.training_seconds; \
	fi

db: install ## Apply database migrations, load the demo council's data and add the demo staff accounts
	$(PY) -m bot db upgrade
	$(PY) -m bot load-data
	$(PY) -m bot.demo_staff

validate: install ## Check the training data and domain (rasa data validate)
	@scripts/validate-data.sh

test-python: install $(SPACY)/meta.json ## Unit and integration tests (pytest, SQLite and PostgreSQL)
	$(PY) -m pytest -q

# A regression guard just under the targets (accuracy 0.90, out-of-scope answers 0.10),
# which `make bench` reports: a small change in data must not pass unnoticed.
test-nlu: install train ## Held-out NLU test with a minimum accuracy
	$(PY) -m bot.bench.heldout --min-accuracy 0.89 --max-oos-answer-rate 0.11

test-stories: install train ## Rasa test stories for every conversation the assistant has
	$(RASA) test core --stories tests/stories --model $(MODEL) --out results/core --fail-on-prediction-errors --no-plot

LINTED := bot actions channels rasa_sdk_plugins rasa_patches tests scripts

lint: install ## ruff (lint and format) and mypy; part of `make test`, so CI fails on them
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy bot actions channels rasa_sdk_plugins rasa_patches

clean: ## Remove the trained model and results (keeps var/ data)
	rm -rf models results
