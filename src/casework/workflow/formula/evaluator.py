"""Walks a compiled formula against a context dict. Only dict lookups, never attribute access."""

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from casework.i18n import _
from casework.workflow.formula.functions import FUNCTIONS, Runtime
from casework.workflow.formula.nodes import (
    Access,
    Array,
    Call,
    Chain,
    FormulaError,
    Literal,
    Logic,
    Node,
    Unary,
    Var,
)
from casework.workflow.formula.values import (
    equal,
    is_list,
    is_number,
    order,
    to_text,
    truthy,
    type_name,
    within_range,
)

_ORDERINGS = {"<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0}


class Formula:
    """A parsed formula: immutable, reusable, safe to share between threads."""

    __slots__ = ("source", "root")

    def __init__(self, source: str, root: Node) -> None:
        self.source = source
        self.root = root

    def __repr__(self) -> str:
        return f"Formula({self.source!r})"

    def evaluate(self, context: Mapping[str, Any] | None = None, now: datetime | None = None) -> Any:
        """The formula's value; names resolve in context, NOW() returns now (default: the current UTC time)."""
        if context is not None and not isinstance(context, Mapping):
            raise FormulaError(_("the context must be a mapping, got {kind}", kind=type(context).__name__))
        try:
            return _Evaluation(context or {}, Runtime(now)).run(self.root)
        except ArithmeticError as exc:  # overflow converting huge ints to float, and the like
            raise FormulaError(_("arithmetic error: {error}", error=str(exc))) from None
        except RecursionError:  # deeply nested data in the context itself
            raise FormulaError(_("the data is nested too deeply to evaluate")) from None


class _Evaluation:
    def __init__(self, context: Mapping[str, Any], runtime: Runtime) -> None:
        self.context = context
        self.runtime = runtime

    def run(self, node: Node) -> Any:
        match node:
            case Literal(value):
                return value
            case Var(name):
                return self.context.get(name)
            case Access(base, steps):
                return self._access(self.run(base), steps)
            case Array(items):
                return [self.run(item) for item in items]
            case Unary("-", operand):
                value = self.run(operand)
                if not is_number(value):
                    raise FormulaError(_("cannot negate a {kind}", kind=type_name(value)))
                return -value
            case Unary(_, operand):
                return not truthy(self.run(operand))
            case Logic("AND", items):
                return all(truthy(self.run(item)) for item in items)
            case Logic(_, items):
                return any(truthy(self.run(item)) for item in items)
            case Chain(first, rest):
                result = self.run(first)
                for op, operand in rest:
                    result = _binary(op, result, self.run(operand))
                return result
            case Call(name, args):
                function = FUNCTIONS[name]
                if function.lazy:
                    return function.impl(self.runtime, *(partial(self.run, arg) for arg in args))
                return function.impl(self.runtime, *(self.run(arg) for arg in args))
        raise AssertionError(f"unknown node {node!r}")

    def _access(self, value: Any, steps: tuple[str | Node, ...]) -> Any:
        # A missing key, a wrong type or an out-of-range index all give null, as in Tines.
        for step in steps:
            if value is None:
                return None
            key = step if isinstance(step, str) else self.run(step)
            if isinstance(value, Mapping):
                value = value.get(key) if isinstance(key, str) else None
            elif is_list(value) and isinstance(key, int) and not isinstance(key, bool):
                value = value[key] if -len(value) <= key < len(value) else None
            else:
                value = None
        return value


def _binary(op: str, a: Any, b: Any) -> Any:
    if op == "=":
        return equal(a, b)
    if op == "!=":
        return not equal(a, b)
    if op in _ORDERINGS:
        return _ORDERINGS[op](order(a, b))
    if op == "&":
        return to_text(a) + to_text(b)
    if not (is_number(a) and is_number(b)):
        raise _arithmetic_error(op, type_name(a), type_name(b))
    if op == "+":
        return within_range(a + b)
    if op == "-":
        return within_range(a - b)
    if op == "*":
        return within_range(a * b)
    if b == 0:
        raise FormulaError(_("division by zero"))
    return a / b


def _arithmetic_error(op: str, left: str, right: str) -> FormulaError:
    if op == "+":
        return FormulaError(_("cannot add {left} and {right}", left=left, right=right))
    if op == "-":
        return FormulaError(_("cannot subtract {left} and {right}", left=left, right=right))
    if op == "*":
        return FormulaError(_("cannot multiply {left} and {right}", left=left, right=right))
    return FormulaError(_("cannot divide {left} and {right}", left=left, right=right))
