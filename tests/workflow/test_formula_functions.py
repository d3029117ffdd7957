"""The formula engine's functions, NOW() injection and truthiness."""

from datetime import datetime, timedelta, timezone

import pytest

from casework.workflow.formula import evaluate, parse, truthy
from tests.workflow.test_formula import CASE, NOW, ev


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("SIZE(team_case.assignees)", 2),
        ('SIZE("hello")', 5),
        ("SIZE(team_case.metadata)", 2),
        ("SIZE(NULL)", 0),
        ("size([])", 0),
        ('IF(team_case.priority > 2, "high", "low")', "high"),
        ('IF(0, "yes", "no")', "no"),
        ('IF("", "yes")', None),
        ("IF([], 1, 2)", 2),
        ("AND(1, TRUE, \"x\")", True),
        ("AND(1, [])", False),
        ("OR(0, NULL, \"\")", False),
        ("or(0, [0])", True),
        ("NOT(team_case.missing)", True),
        ("NOT(team_case.tags)", False),
        ("not (0)", True),
        ("IS_PRESENT(team_case.status)", True),
        ("IS_PRESENT(team_case.fields.empty)", False),
        ("IS_PRESENT([])", False),
        ("IS_PRESENT(NULL)", False),
        ("IS_PRESENT(0)", True),
        ("IS_PRESENT(FALSE)", False),  # Tines: FALSE, "", [], {} and NULL are blank
        ("IS_BLANK(FALSE)", True),
        ("IS_BLANK(team_case.empty_object)", True),
        ("IS_BLANK(0)", False),
        ("IS_BLANK(team_case.nope)", True),
        ('IS_BLANK(" ")', False),
        ('INCLUDES(team_case.tags, "urgent")', True),
        ('INCLUDES(team_case.tags, "URGENT")', False),
        ("INCLUDES([1, 2], 2.0)", True),
        ('INCLUDES([1, 2], "2")', False),
        ('INCLUDES("phishing", "hish")', True),
        ('INCLUDES(NULL, "x")', False),
        ('INCLUDES(team_case.metadata, "source")', True),
        ('DEFAULT(team_case.nope, "none")', "none"),
        ('DEFAULT(team_case.fields.empty, "none")', "none"),
        ('DEFAULT([], "none")', "none"),
        ('DEFAULT(0, "none")', 0),
        ('DEFAULT(FALSE, "none")', "none"),
        ('DEFAULT(team_case.empty_object, "none")', "none"),
        ('DEFAULT([], team_case.fields.empty, "last")', "last"),  # the first fallback that is present
        ('DEFAULT([], "", FALSE)', ""),  # all blank: the first fallback
        ('DEFAULT("x", 1 / 0)', "x"),  # fallbacks are not evaluated when not needed
        ('DEFAULT(team_case.status, "none")', "open"),
        ('UPCASE("MiXed é")', "MIXED É"),
        ('downcase("MiXed")', "mixed"),
        ("UPCASE(NULL)", None),
        ("JOIN(team_case.tags)", "phishing,urgent"),
        ('JOIN(team_case.assignees, " & ")', "ann & bob"),
        ('JOIN([1, TRUE, NULL, 2.5], "|")', "1|true||2.5"),
        ("JOIN(NULL)", ""),
        ('DATE_DIFF(NOW(), team_case.created_at, "days")', 2),
        ('DATE_DIFF(NOW(), team_case.created_at, "hours")', 48),
        ('DATE_DIFF(NOW(), team_case.created_at, "minute")', 2880),
        ("DATE_DIFF(NOW(), team_case.created_at)", 172800),
        ('DATE_DIFF(team_case.created_at, NOW(), "DAYS")', 2),  # absolute, as in Tines
        ('DATE_DIFF("2024-03-10T12:00:00Z", "2024-03-10T00:00:00", "days")', 0.5),
        ("DATE_DIFF(team_case.nope, NOW())", None),
    ],
)
def test_functions(source: str, expected: object) -> None:
    assert ev(source) == expected


def test_now_is_injectable_and_defaults_to_utc() -> None:
    formula = parse("NOW()")
    assert formula.evaluate({}, now=NOW) == NOW
    before = datetime.now(timezone.utc)
    assert before <= formula.evaluate({}) <= before + timedelta(seconds=5)
    assert evaluate("DATE_DIFF(NOW(), t, \"days\")", {"t": NOW - timedelta(days=3)}, now=NOW) == 3
    assert evaluate("NOW() & \"\"", {}, now=NOW) == NOW.isoformat()


def test_function_names_are_case_insensitive_and_formula_is_reusable() -> None:
    formula = parse("Size(team_case.tags) = 2 And Is_Present(team_case.status)")
    assert formula.evaluate(CASE) is True
    assert formula.evaluate({"team_case": {"tags": ["a", "b"]}}) is False
    assert formula.evaluate({}) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), (False, False), (0, False), (0.0, False), ("", False), ([], False), ({}, False),
     (True, True), (-1, True), ("0", True), ([0], True), ({"a": 1}, True), (NOW, True)],
)
def test_truthiness(value: object, expected: bool) -> None:
    assert truthy(value) is expected
    assert evaluate("IF(x, 1, 2)", {"x": value}) == (1 if expected else 2)
