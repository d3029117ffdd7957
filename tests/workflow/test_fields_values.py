"""The canonical form of every custom field type, the values each refuses, and the rows of the searchable copy
(pure functions, no database)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.workflow.fields.values import (
    INDEXED_TEXT,
    Refused,
    canonical,
    filter_operand,
    index_rows,
    option_paths,
    tree_depth,
)

FLAT = [{"id": "eu", "label": "Europe"}, {"id": "us", "label": "United States"}]
TREE = [
    {"id": "emea", "label": "EMEA", "children": [{"id": "fr", "label": "France", "children": [{"id": "paris", "label": "Paris"}]}]},
    {"id": "amer", "label": "Americas"},
]
USER = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

VALID = [
    ("text", "hello", "hello"),
    ("text", "", ""),
    ("text", "x" * 1000, "x" * 1000),
    ("long_text", "y" * 30_000, "y" * 30_000),
    ("url", "https://example.com/a?b=c", "https://example.com/a?b=c"),
    ("url", "HTTP://example.com", "HTTP://example.com"),
    ("number", 42, 42),
    ("number", -(2**63), -(2**63)),
    ("number", 2**63 - 1, 2**63 - 1),
    ("decimal", "12.50", "12.5"),
    ("decimal", 12.5, "12.5"),
    ("decimal", 100, "100"),
    ("decimal", "1e2", "100"),
    ("decimal", "-0.000", "0"),
    ("decimal", 0.1, "0.1"),
    ("decimal", "123456789012345678901234567890.12345678", "123456789012345678901234567890.12345678"),
    ("boolean", True, True),
    ("toggle", False, False),
    ("date", "2024-02-29", "2024-02-29"),
    ("datetime", "2024-03-01T10:00:00+02:00", "2024-03-01T08:00:00.000000Z"),
    ("datetime", "2024-03-01T08:00:00.5Z", "2024-03-01T08:00:00.500000Z"),
    # A date alone: the start of that day in UTC.
    ("datetime", "2024-03-01", "2024-03-01T00:00:00.000000Z"),
    ("select", "eu", "eu"),
    ("multi_select", ["us", "eu"], ["us", "eu"]),
    ("multi_select", [], None),
    ("dependent_select", ["emea"], ["emea"]),
    ("dependent_select", ["emea", "fr", "paris"], ["emea", "fr", "paris"]),
    ("user", USER.upper(), USER),
]

INVALID = [
    ("text", 5, "must be a string"),
    ("text", "x" * 1001, "at most 1000"),
    ("long_text", "y" * 30_001, "at most 30000"),
    ("url", "ftp://example.com", "http or https"),
    ("url", "javascript:alert(1)", "http or https"),
    ("url", "https://", "http or https"),
    ("url", "https://exa mple.com", "http or https"),
    ("url", "https://example.com/" + "a" * 2048, "at most 2048"),
    ("number", "12", "integer"),
    ("number", 1.5, "integer"),
    ("number", True, "integer"),
    ("number", 2**63, "64-bit"),
    ("decimal", "abc", "finite decimal"),
    ("decimal", "NaN", "finite decimal"),
    ("decimal", "Infinity", "finite decimal"),
    ("decimal", float("inf"), "finite decimal"),
    ("decimal", True, "decimal"),
    ("decimal", [1], "decimal"),
    ("decimal", "1e40", "significant digits"),
    ("decimal", "1e-40", "significant digits"),
    ("decimal", "1" * 39, "significant digits"),
    ("boolean", "true", "true or false"),
    ("toggle", 1, "true or false"),
    ("date", "2024-02-30", "YYYY-MM-DD"),
    ("date", "2024-2-3", "YYYY-MM-DD"),
    ("date", 20240101, "YYYY-MM-DD"),
    ("datetime", "2024-03-01T10:00:00", "time zone"),
    ("datetime", "2024-02-30", "time zone"),
    ("datetime", "yesterday", "time zone"),
    ("select", "asia", "unknown option asia"),
    ("select", ["eu"], "option id"),
    ("multi_select", ["eu", "eu"], "repeat"),
    ("multi_select", ["eu", "asia"], "unknown option asia"),
    ("multi_select", "eu", "list of option ids"),
    ("dependent_select", ["fr"], "unknown option fr"),
    ("dependent_select", ["emea", "paris"], "unknown option paris under emea"),
    ("dependent_select", [], "path of option ids"),
    ("dependent_select", "emea", "path of option ids"),
    ("user", "not-a-uuid", "user id"),
    ("user", 7, "user id"),
]


def options_for(field_type: str) -> list[dict]:
    return TREE if field_type == "dependent_select" else FLAT


@pytest.mark.parametrize(("field_type", "value", "stored"), VALID)
def test_each_type_keeps_its_canonical_form(field_type, value, stored):
    assert canonical(field_type, options_for(field_type), value) == stored


@pytest.mark.parametrize(("field_type", "value", "reason"), INVALID)
def test_each_type_refuses_a_value_of_the_wrong_kind_saying_why(field_type, value, reason):
    with pytest.raises(Refused) as refused:
        canonical(field_type, options_for(field_type), value)
    assert reason in str(refused.value.message)


def test_every_type_is_covered_both_ways():
    types = {"text", "long_text", "number", "decimal", "boolean", "toggle", "date", "datetime", "url", "select",
             "multi_select", "dependent_select", "user"}
    assert {t for t, _v, _s in VALID} == types
    assert {t for t, _v, _r in INVALID} == types


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e30"), max_value=Decimal("1e30"), places=6))
def test_a_decimal_is_kept_exactly_and_stored_once_normalized(number):
    stored = canonical("decimal", [], str(number))
    assert Decimal(stored) == number
    assert "E" not in stored.upper()
    assert canonical("decimal", [], stored) == stored


def test_datetimes_sort_as_text_in_time_order():
    moments = ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5Z", "2024-01-01T00:00:01+00:00", "2023-12-31T23:00:01-02:00"]
    stored = [canonical("datetime", [], m) for m in moments]
    assert sorted(stored) == [stored[0], stored[1], stored[2], stored[3]]
    assert all(len(s) == len(stored[0]) for s in stored)


def test_the_searchable_rows_of_each_kind_of_value():
    assert index_rows("number", 7) == [(None, 7.0)]
    assert index_rows("decimal", "12.5") == [(None, 12.5)]
    assert index_rows("boolean", True) == [(None, 1.0)]
    assert index_rows("toggle", False) == [(None, 0.0)]
    assert index_rows("select", "eu") == [("eu", None)]
    assert index_rows("multi_select", ["us", "eu"]) == [("us", None), ("eu", None)]
    # The full path first (it sorts), then every shorter prefix (so "starts with" is an equality).
    assert index_rows("dependent_select", ["emea", "fr", "paris"]) == [("emea/fr/paris", None), ("emea/fr", None), ("emea", None)]
    assert index_rows("long_text", "z" * 5000) == [("z" * INDEXED_TEXT, None)]


def test_option_paths_and_depth_of_a_tree():
    assert list(option_paths(TREE)) == ["emea", "emea/fr", "emea/fr/paris", "amer"]
    assert list(option_paths(FLAT)) == ["eu", "us"]
    assert (tree_depth(TREE), tree_depth(FLAT), tree_depth([])) == (3, 1, 0)


def test_filter_operands_are_read_from_query_text_by_type():
    assert filter_operand("number", [], "100") == 100.0
    assert filter_operand("decimal", [], "12.50") == 12.5
    assert filter_operand("boolean", [], "TRUE") == 1.0
    assert filter_operand("datetime", [], "2024-03-01T10:00:00+02:00") == "2024-03-01T08:00:00.000000Z"
    assert filter_operand("dependent_select", [TREE], "emea/fr") == "emea/fr"
    # Several definitions (one per project) share a key: the option may be one of any of them.
    assert filter_operand("select", [[{"id": "a", "label": "A"}], FLAT], "eu") == "eu"
    for field_type, raw in [("number", "1.5"), ("number", "ten"), ("boolean", "yes"), ("date", "soon"),
                            ("select", "asia"), ("dependent_select", "fr/paris"), ("user", "bob")]:
        with pytest.raises(Refused):
            filter_operand(field_type, [options_for(field_type)], raw)
