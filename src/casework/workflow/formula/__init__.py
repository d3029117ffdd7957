"""Closure-condition formulas in the Tines style, e.g. `=SIZE(team_case.assignees) > 0`.

Pure: no database, no HTTP. `parse` compiles once; `Formula.evaluate` runs against a case view dict.

Precedence, loosest first: OR (`||`), AND (`&&`), NOT, comparison (`= != <> < <= > >=`), `&`, `+ -`, `* /`,
unary minus, then `.key` / `[index]`. `NOT a = b` is `NOT (a = b)`; `NOT(...)` with a parenthesis is the
Tines function, so `NOT(a) = b` is `(NOT a) = b`. Error messages are `casework.i18n` messages (English and French).
"""

from datetime import datetime
from functools import lru_cache
from typing import Any

from casework.i18n import _
from casework.workflow.formula.evaluator import Formula
from casework.workflow.formula.nodes import MAX_ARGS, MAX_DEPTH, MAX_SOURCE_LENGTH, FormulaError, FormulaSyntaxError
from casework.workflow.formula.parser import parse
from casework.workflow.formula.values import truthy

__all__ = [
    "MAX_ARGS",
    "MAX_DEPTH",
    "MAX_SOURCE_LENGTH",
    "Formula",
    "FormulaError",
    "FormulaSyntaxError",
    "evaluate",
    "parse",
    "truthy",
]


@lru_cache(maxsize=256)
def _compiled(source: str) -> Formula:
    return parse(source)


def evaluate(source: str, context: dict[str, Any] | None = None, now: datetime | None = None) -> Any:
    """Parse (cached) and evaluate in one step."""
    if not isinstance(source, str):
        raise FormulaError(_("a formula must be a string, got {kind}", kind=type(source).__name__))
    return _compiled(source).evaluate(context, now=now)
