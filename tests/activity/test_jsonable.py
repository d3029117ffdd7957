"""An activity entry's changes are kept as JSON values: what JSON holds as it is stays, the rest is written as
casework writes it (ids and moments as strings, an enum as its value)."""

import uuid
from datetime import UTC, date, datetime
from enum import IntEnum, StrEnum

from casework.activity.service import jsonable


class Colour(StrEnum):
    RED = "red"


class Rank(IntEnum):
    HIGH = 1


def test_plain_json_values_stay_as_they_are() -> None:
    values = ["text", 3, 2.5, True, None]
    assert [jsonable(value) for value in values] == values
    assert all(type(jsonable(value)) is type(value) for value in values)


def test_enums_ids_moments_and_collections_become_json_values() -> None:
    case_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    changes = {
        "status": [Colour.RED, "red"],
        "rank": (Rank.HIGH, 2),
        "assignees": {case_id},
        "due": datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
        "on": date(2026, 12, 7),
        7: {"nested": [Colour.RED]},
    }
    assert jsonable(changes) == {
        "status": ["red", "red"],
        "rank": [1, 2],
        "assignees": [str(case_id)],
        "due": "2026-12-07T10:00:00Z",
        "on": "2026-12-07",
        "7": {"nested": ["red"]},
    }
    assert type(jsonable(Colour.RED)) is str and type(jsonable(Rank.HIGH)) is int
