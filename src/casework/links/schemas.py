"""Links between two cases of one workspace.

A relation reads "this case <relation> the linked case": A `duplicates` B (A is a duplicate of B), A `parent`
B (A is the parent of B), A `child` B (A is a child of B), A `related` B. Every link is stored from both
sides, with the inverse relation on the other side.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from casework.descriptions import CREATED_AT, CREATED_BY, ITEMS, NEXT_CURSOR
from casework.inputs import StrictInput
from casework.links.records import LinkRecord

Relation = Literal["related", "duplicates", "duplicated_by", "parent", "child"]

INVERSE: dict[str, str] = {
    "related": "related",
    "duplicates": "duplicated_by",
    "duplicated_by": "duplicates",
    "parent": "child",
    "child": "parent",
}


class LinkCreate(StrictInput):
    case: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="The case to link to: its id or key, in the same workspace."
    )
    relation: Relation = Field(description="This case <relation> the linked case.")


class LinkedCase(BaseModel):
    id: uuid.UUID = Field(description="The linked case's id.")
    key: str = Field(description="The linked case's key, like `SEC-12`.")
    title: str = Field(description="The linked case's title.")
    status: str = Field(description="The linked case's status group: open, in_progress or closed.")
    archived: bool = Field(description="An archived case cannot be linked or unlinked until it is restored.")


class LinkRead(BaseModel):
    case: LinkedCase = Field(description="The case at the other end of the link.")
    relation: Relation = Field(description="As seen from this case: this case <relation> the linked case.")
    created_at: datetime = Field(description=CREATED_AT)
    created_by: uuid.UUID = Field(description=CREATED_BY)


class LinkPage(BaseModel):
    items: list[LinkRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


def link_view(row: LinkRecord) -> dict[str, Any]:
    return {
        "case": {
            "id": str(row.linked_case_id),
            "key": row.key,
            "title": row.title,
            "status": row.status,
            "archived": row.archived_at is not None,
        },
        "relation": row.relation,
        "created_at": row.created_at,
        "created_by": str(row.created_by),
    }
