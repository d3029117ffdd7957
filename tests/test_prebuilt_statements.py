"""Statements built once at import time know every parameter's type, whatever was imported before them.

A foreign-key column declared without a type takes its type from the column it references only once that table
exists; a statement built before then compares against an untyped parameter, which SQLite's driver refuses for a UUID
(a 500 that depended on import order). Each module that names parameters is imported first, alone, in a fresh
interpreter, and every parameter of every statement it builds at import time must have a type."""

import subprocess
import sys
from pathlib import Path

import pytest

import casework

SOURCE = Path(casework.__file__).parent
MODULES = sorted(
    ".".join(("casework", *path.relative_to(SOURCE).with_suffix("").parts))
    for path in SOURCE.rglob("*.py")
    if "bindparam(" in path.read_text()
)

CHECK = """
import importlib, sys
from sqlalchemy.sql import Executable
from sqlalchemy.types import NullType

module = importlib.import_module(sys.argv[1])
statements = []
for name, value in vars(module).items():
    values = value.values() if isinstance(value, dict) else [value]
    # A PlainStatement (casework.db.plain) holds its statement.
    statements += [(name, getattr(v, "statement", v)) for v in values]
    statements = [(name, v) for name, v in statements if isinstance(v, Executable)]
for name, statement in statements:
    for parameter in statement.compile().binds.values():
        assert not isinstance(parameter.type, NullType), f"{name}: parameter {parameter.key} has no type"
"""


def test_modules_with_prebuilt_statements_are_found():
    assert "casework.auth.service" in MODULES and "casework.cases.records" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_every_parameter_of_a_statement_built_at_import_has_a_type(module: str):
    checked = subprocess.run([sys.executable, "-c", CHECK, module], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr.strip().splitlines()[-1]
