"""The value types of a case's own fields that configuration also holds: a case type prefills them for new cases,
so they live below both `cases` and `workflow.case_types`."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from casework.inputs import not_blank, unique_items

MAX_TAGS = 200
MAX_FIELD_VALUES = 200

Priority = Literal["P1", "P2", "P3", "P4", "P5"]
Severity = Literal["low", "medium", "high", "critical"]
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4", "P5")
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

# Priority is kept as a rank so that "no priority" sorts after P5 and keyset pages need no NULL handling.
NO_PRIORITY_RANK = 6


def priority_rank(priority: str | None) -> int:
    return int(priority[1]) if priority else NO_PRIORITY_RANK


def priority_label(rank: int) -> str | None:
    return None if rank == NO_PRIORITY_RANK else f"P{rank}"


Description = Annotated[str, StringConstraints(max_length=30_000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=256), AfterValidator(not_blank)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(unique_items)]
FieldKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
FieldValues = Annotated[
    dict[FieldKey, Any],
    Field(max_length=MAX_FIELD_VALUES, description="Custom field values by key; each checked against its definition."),
]
