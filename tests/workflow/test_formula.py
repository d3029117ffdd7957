"""The closure-condition formula engine: pure, so no database or app fixtures."""

import ast
import operator
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.i18n import Message
from casework.workflow.formula import (
    MAX_DEPTH,
    MAX_SOURCE_LENGTH,
    Formula,
    FormulaError,
    FormulaSyntaxError,
    evaluate,
    parse,
)

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)
CASE = {
    "team_case": {
        "assignees": ["ann", "bob"],
        "tags": ["phishing", "urgent"],
        "priority": 3,
        "status": "open",
        "metadata": {"source": "email", "score": 7.5},
        "fields": {"severity": "high", "incident-type": "malware", "empty": ""},
        "tasks": [{"name": "triage", "done": True}, {"name": "contain", "done": False}],
        "created_at": "2024-03-08T12:00:00+00:00",
        "empty_object": {},
    }
}


def ev(source: str, context: dict | None = None) -> object:
    return evaluate(source, CASE if context is None else context, now=NOW)


def syntax_error(source: str) -> FormulaSyntaxError:
    with pytest.raises(FormulaSyntaxError) as info:
        parse(source)
    return info.value


@pytest.mark.parametrize(("assignees", "expected"), [([], False), (["ann", "bob"], True)])
def test_seed_example(assignees: list[str], expected: bool) -> None:
    formula = parse("=SIZE(team_case.assignees) > 0")
    assert isinstance(formula, Formula)
    assert formula.evaluate({"team_case": {"assignees": assignees}}) is expected
    assert formula.evaluate({}) is False  # missing path -> null -> SIZE 0


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"a\\"b\\n\\u00e9"', 'a"b\né'),
        ("'it\\'s'", "it's"),
        ("42", 42),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("TRUE", True),
        ("true", True),
        ("False", False),
        ("NULL", None),
        ("null", None),
        ('[1, "a", [TRUE]]', [1, "a", [True]]),
        ("[]", []),
        ("=1", 1),
        ("  =  1  ", 1),
    ],
)
def test_literals(source: str, expected: object) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("team_case.priority", 3),
        ("team_case.status", "open"),
        ("team_case.metadata.source", "email"),
        ("team_case.fields.severity", "high"),
        ('team_case.fields["incident-type"]', "malware"),
        ("team_case.tasks[1].name", "contain"),
        ("team_case.tasks[-1].done", False),
        ("team_case.tasks[5].name", None),
        ("team_case.nope", None),
        ("team_case.metadata.source.deeper", None),
        ("nothing.at.all", None),
        ("team_case.assignees.first", None),
        ('team_case.tasks["0"]', None),
        ("team_case.tasks[TRUE]", None),
        ("team_case.__class__", None),
        ("team_case.__class__.__mro__", None),
        ("team_case.fields.__dict__", None),
        ("__builtins__", None),
        ("__import__", None),
        ("team_case.keys", None),
    ],
)
def test_paths_are_plain_lookups(source: str, expected: object) -> None:
    assert ev(source) == expected


def test_only_mapping_keys_are_reachable() -> None:
    class Obj:
        secret = "x"

    assert ev("thing.secret", {"thing": Obj()}) is None
    assert ev("team_case.__class__", {"team_case": {"__class__": "declared"}}) == "declared"
    with pytest.raises(FormulaSyntaxError, match="unknown function __import__"):
        parse('__import__("os")')
    with pytest.raises(FormulaSyntaxError):
        parse('team_case.keys()')


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("12 / 3 / 2", 2),
        ("7 / 2", 3.5),
        ("-2 * 3", -6),
        ("- -2", 2),
        ("2 - -3", 5),
        ('"a" & "b" & 1 + 2', "ab3"),
        ('1 + 2 & "x" = "3x"', True),
        ('"n=" & null & TRUE & 2.0', "n=true2"),
        ("1 = 1", True),
        ("1 = 1.0", True),
        ('1 = "1"', False),
        ("TRUE = 1", False),
        ("NULL = NULL", True),
        ("[1, 2] = [1, 2]", True),
        ("1 != 2", True),
        ("1 <> 1", False),
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 2", True),
        ("2 >= 3", False),
        ('"abc" < "abd"', True),
        ("TRUE AND FALSE OR TRUE", True),
        ("TRUE OR FALSE AND FALSE", True),
        ("FALSE and TRUE or FALSE", False),
        ("1 < 2 AND 2 < 3", True),
        ("NOT FALSE", True),
        ("not 0", True),
        ("NOT NOT 1", True),
        ("NOT 1 = FALSE", True),  # NOT (1 = FALSE)
        ("NOT 1 = 1", False),  # NOT binds looser than comparison: NOT (1 = 1)
        ('NOT team_case.status = "closed"', True),
        ("NOT 1 = 1 OR TRUE", True),  # ... and tighter than AND / OR: (NOT (1 = 1)) OR TRUE
        ("NOT TRUE AND FALSE", False),
        ("NOT(1) = FALSE", True),  # NOT( is the function: (NOT 1) = FALSE
        ("NOT (1) = FALSE", True),
        ("NOT(1 = 1) = FALSE", True),
        ("notation = NULL", True),  # a name starting with "not" stays a name
        ("TRUE && FALSE || TRUE", True),  # Tines' && and || spell AND and OR
        ("FALSE || TRUE && FALSE", False),
        ("-team_case.priority + 1", -2),
        ("team_case.metadata.score * 2", 15.0),
    ],
)
def test_operators_and_precedence(source: str, expected: object) -> None:
    assert ev(source) == expected


def test_logical_operators_short_circuit() -> None:
    assert ev('FALSE AND "a" < 1') is False
    assert ev('TRUE OR 1 / 0') is True
    assert ev("IF(TRUE, 1, 1 / 0)") == 1
    assert ev("DEFAULT(5, 1 / 0)") == 5


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('"a" < 1', "cannot compare string with number"),
        ("NULL < 1", "cannot compare null with number"),
        ("TRUE > FALSE", "cannot compare boolean with boolean"),
        ("[1] < [2]", "cannot compare list with list"),
        ("1 / 0", "division by zero"),
        ("1 / 0.0", "division by zero"),
        ('"a" + 1', "cannot add string and number"),
        ("team_case.missing * 2", "cannot multiply null and number"),
        ("TRUE - 1", "cannot subtract boolean and number"),
        ('-"a"', "cannot negate a string"),
        ("SIZE(5)", "SIZE: expected a list, string or object"),
        ('INCLUDES("abc", 1)', "INCLUDES: cannot look for a number"),
        ("INCLUDES(5, 1)", "INCLUDES: expected a list"),
        ("UPCASE(1)", "UPCASE: expected a string"),
        ('JOIN("a")', "JOIN: expected a list"),
        ("JOIN([1], 2)", "JOIN: the separator must be a string"),
        ('DATE_DIFF(NOW(), NOW(), "weeks")', "DATE_DIFF: unit must be"),
        ('DATE_DIFF("yesterday", NOW())', "not an ISO date"),
        ("DATE_DIFF(1, NOW())", "expected a date, got number"),
        ("NOW() > team_case.missing", "cannot compare date with null"),
        (" * ".join(["1" + "0" * 200] * 2) + " / 3", "the number is out of range"),  # past a double
    ],
)
def test_runtime_errors_are_formula_errors(source: str, message: str) -> None:
    with pytest.raises(FormulaError) as info:
        ev(source)
    assert not isinstance(info.value, FormulaSyntaxError)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("=SIZE(team_case.assignees > ", 1, 28, "unexpected end of formula; expected a value"),
        ("1 +", 1, 4, "unexpected end of formula; expected a value"),
        ("1 2", 1, 3, "unexpected '2'; expected an operator"),
        ("SIZE(1 2", 1, 8, "expected ')' or ',' or an operator"),
        ("(1", 1, 3, "expected ')'"),
        ("x = = 1", 1, 5, "unexpected '='"),
        ("1 +\n  )", 2, 3, "unexpected ')'"),
        ("a.", 1, 3, "expected a name"),
        ('"abc', 1, 1, "unterminated string"),
        ("1 # 2", 1, 3, "unexpected character '#'"),
        ('"ok" & "bad \\q"', 1, 13, "invalid escape sequence \\q"),
        ("", 1, 1, "the formula is empty"),
        ("=", 1, 2, "the formula is empty"),
        ("FOO(1)", 1, 1, "unknown function FOO"),
        ("1 +\n  bar(2)", 2, 3, "unknown function bar"),
        ("SIZE()", 1, 1, "SIZE takes 1 argument(s), got 0"),
        ("IF(1)", 1, 1, "IF takes 2 to 3 argument(s), got 1"),
        ("NOW(1)", 1, 1, "NOW takes 0 argument(s), got 1"),
        ("AND()", 1, 1, "AND takes 1 to 32 argument(s), got 0"),
        ("1e999", 1, 1, "number out of range"),
        ("1" + "0" * 309, 1, 1, "number out of range"),
        ("x = 1 AND\n  NOT(1, 2)", 2, 3, "NOT takes 1 argument(s), got 2"),
        ("NOT", 1, 4, "unexpected end of formula; expected a value"),
        ("TRUE AND NOT", 1, 13, "unexpected end of formula; expected a value"),
    ],
)
def test_syntax_errors(source: str, line: int, column: int, message: str) -> None:
    error = syntax_error(source)
    assert (error.line, error.column) == (line, column)
    assert message in error.message
    assert isinstance(error, FormulaError)
    assert f"line {line}, column {column}" in str(error)


def test_error_messages_keep_their_template_for_translation() -> None:
    error = syntax_error("FOO(1)")
    assert isinstance(error.message, Message)
    assert error.message.template == "unknown function {name}" and error.message.params == {"name": "FOO"}
    with pytest.raises(FormulaError) as info:
        ev('"a" < 1')
    assert isinstance(info.value.message, Message)
    assert info.value.message.template == "cannot compare {left} with {right}"


def test_limits() -> None:
    assert ev("1" + " + 1" * 300) == 301  # long chains are flat, not deep
    assert ev("(" * 200 + "1" + ")" * 200) == 1  # parentheses alone add no depth
    error = syntax_error("1" * (MAX_SOURCE_LENGTH + 1))
    assert (error.line, error.column) == (1, MAX_SOURCE_LENGTH + 1)
    assert "longer than" in error.message
    assert ev("-" * (MAX_DEPTH - 1) + "1") == -1
    error = syntax_error("-" * MAX_DEPTH + "1")
    assert "nested too deeply" in error.message and error.column == MAX_DEPTH + 1  # the 33rd level
    assert "nested too deeply" in syntax_error("SIZE(" * 40 + "1" + ")" * 40).message
    assert "nested too deeply" in syntax_error("[" * 40 + "]" * 40).message
    assert "nested too deeply" in syntax_error("NOT " * 40 + "1").message
    assert ev("AND(" + ", ".join(["1"] * 32) + ")") is True
    assert "got 33" in syntax_error("OR(" + ", ".join(["1"] * 33) + ")").message


def test_bad_inputs_are_formula_errors() -> None:
    with pytest.raises(FormulaError):
        parse(None)  # type: ignore[arg-type]
    with pytest.raises(FormulaError):
        parse("1").evaluate(["not", "a", "dict"])  # type: ignore[arg-type]
    nested: list = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(FormulaError):
        evaluate("x = y", {"x": nested, "y": nested})


# -- properties ---------------------------------------------------------------------------------

FORMULA_CHARS = list("()[]=<>!&+-*/,.'\"\\ \n0123456789aeTRUEFALSNOTIFSZ_x") + [
    "AND", "OR", "NOT", "NOT(", "&&", "||", "SIZE(", "IF(", "NULL", "DEFAULT(",
]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(FORMULA_CHARS), max_size=40).map("".join)))
def test_arbitrary_text_only_raises_formula_errors(source: str) -> None:
    try:
        formula = parse(source)
    except FormulaSyntaxError as exc:
        assert exc.line >= 1 and exc.column >= 1 and exc.message
        return
    try:
        formula.evaluate({"x": [1, "a", None], "team_case": CASE["team_case"]}, now=NOW)
    except FormulaSyntaxError:  # pragma: no cover - evaluation must not report syntax
        raise AssertionError("evaluation raised a syntax error") from None
    except FormulaError:
        pass


_PY_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _python_value(node: ast.AST) -> object:
    # Python's own parser decides precedence; a ten-line walker computes the value (no eval()).
    match node:
        case ast.Expression(body):
            return _python_value(body)
        case ast.Constant(value):
            return value
        case ast.UnaryOp(ast.USub(), operand):
            return -_python_value(operand)
        case ast.BinOp(left, op, right):
            return _PY_OPS[type(op)](_python_value(left), _python_value(right))
    raise AssertionError(ast.dump(node))


arithmetic = st.recursive(
    st.integers(0, 10**6).map(str) | st.sampled_from(["0.5", "2.25", "10.0"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(" ".join),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"-{e}"),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(arithmetic)
def test_arithmetic_matches_python(source: str) -> None:
    try:
        expected = _python_value(ast.parse(source, mode="eval"))
    except ZeroDivisionError:
        with pytest.raises(FormulaError, match="division by zero"):
            evaluate(source, {})
        return
    except OverflowError:
        with pytest.raises(FormulaError):
            evaluate(source, {})
        return
    try:
        assert evaluate(source, {}) == expected
    except FormulaSyntaxError as exc:  # only the depth limit may refuse a well-formed expression
        assert "nested too deeply" in exc.message
