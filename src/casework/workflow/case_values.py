"""The value types of a case's own fields that configuration also holds: a case type prefills them for new cases,
so they live below both `cases` and `workflow.case_types`."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from casework.inputs import not_blank, unique_items

MAX_TAGS = 200
MAX_FIELD_VALUES = 200

Priority = Literal["P1", "P2", "P3", "P4", "P5"]
Severity = Literal["low", "medium", "high", "critical"]
Description = Annotated[str, StringConstraints(max_length=30_000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=256), AfterValidator(not_blank)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(unique_items)]
FieldKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
FieldValues = Annotated[
    dict[FieldKey, Any],
    Field(max_length=MAX_FIELD_VALUES, description="Custom field values by key; each checked against its definition."),
]
