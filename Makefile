# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test migrate

$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet uv==0.13.9
	$(UV) sync --frozen --inexact --quiet
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/casework serve

migrate: install
	$(VENV)/bin/casework migrate

test: install
	$(VENV)/bin/pytest
