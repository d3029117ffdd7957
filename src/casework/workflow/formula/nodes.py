"""Exceptions, limits and the compiled syntax tree shared by the parser and the evaluator."""

from dataclasses import dataclass
from typing import Any

MAX_SOURCE_LENGTH = 2_000
MAX_DEPTH = 32
MAX_ARGS = 32


class FormulaError(Exception):
    """Any failure of a formula: bad syntax, or a value the formula cannot work with."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormulaSyntaxError(FormulaError):
    """The source is not a valid formula; line and column (1-based) point at the problem."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.column})"


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class Array:
    items: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Access:
    """base.key / base[expr]: a step is a str (dotted key) or a node (bracket index)."""

    base: "Node"
    steps: tuple["str | Node", ...]


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "NOT"
    operand: "Node"


@dataclass(frozen=True, slots=True)
class Chain:
    """first op1 x1 op2 x2 ... evaluated left to right; one node per precedence level."""

    first: "Node"
    rest: tuple[tuple[str, "Node"], ...]


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # "AND" or "OR"
    items: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # upper-cased, already checked against the function table
    args: tuple["Node", ...]


Node = Literal | Array | Var | Access | Unary | Chain | Logic | Call
