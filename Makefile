# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test lint migrate messages bench profile

$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet uv==0.13.9
	$(UV) sync --frozen --inexact --quiet
	touch $@

install: $(VENV)/.installed

# `make run` needs the runtime dependencies only (the image's set); `make install` and `make test` add the dev group.
$(VENV)/.runtime: pyproject.toml uv.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet uv==0.13.9
	$(UV) sync --frozen --inexact --no-dev --quiet
	touch $@

run: $(VENV)/.runtime
	$(VENV)/bin/casework serve

migrate: $(VENV)/.runtime
	$(VENV)/bin/casework migrate

test: install
	$(VENV)/bin/pytest

# ruff (lint and format) and mypy, configured in pyproject.toml; .ci/run and the pre-commit hooks run the same.
lint: install
	$(VENV)/bin/ruff check src bench
	$(VENV)/bin/ruff format --check src bench
	$(VENV)/bin/mypy

# Re-extract every `_()` message, pydantic's error templates and the HTTP status phrases (generated from the
# installed libraries) into src/casework/i18n/locales/casework.pot, and update the French .po from it: translations
# are kept, new messages get an empty msgstr to fill in, unused ones are dropped. tests/i18n checks none is left empty.
messages: install
	$(VENV)/bin/python -m casework.i18n.messages

# Benchmarks against a no-op floor measured in the same run (bench/README.md); needs wrk (apt-get install wrk).
DB ?= sqlite
WORKERS ?= 1
DURATION ?= 10
ROUNDS ?= 3
CONNECTIONS ?= 32
DATASET ?=
ALERTS ?=
bench: install
	$(VENV)/bin/python -m bench.run --db $(DB) --workers $(WORKERS) --duration $(DURATION) --rounds $(ROUNDS) --connections $(CONNECTIONS) $(if $(DATASET),--dataset $(DATASET)) $(if $(ALERTS),--alerts $(ALERTS))

# Where the server's time goes per request in each layer (bench/profile.py: py-spy while wrk loads the hot paths).
profile: install
	$(VENV)/bin/python -m bench.profile --db $(DB) --workers $(WORKERS) --duration $(DURATION) --connections $(CONNECTIONS)
