"""What the blocks service hands out: plain values, read inside its unit of work."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

# A row as read, or the values inserted as one.
RowValues = Mapping[str, Any] | RowMapping


@dataclass(frozen=True, slots=True)
class ElementRecord:
    """One element of a block; `data` holds its fields, whose shape depends on the block type."""

    id: uuid.UUID
    number: int
    position: int
    data: Mapping[str, Any]
    attachment_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class BlockRecord:
    id: uuid.UUID
    number: int
    case_id: uuid.UUID
    parent_id: uuid.UUID | None
    block_type: str
    title: str
    position: int
    hidden: bool
    created_at: datetime
    created_by: uuid.UUID
    updated_at: datetime
    elements: tuple[ElementRecord, ...]


def element_record(row: RowValues) -> ElementRecord:
    """From a row of block_elements (or the values inserted as one)."""
    return ElementRecord(row["id"], row["number"], row["position"], row["data"], row["attachment_id"])


def block_record(row: RowValues, elements: Sequence[RowValues]) -> BlockRecord:
    """From a row of blocks (or the values inserted as one) and its element rows in order."""
    return BlockRecord(
        id=row["id"],
        number=row["number"],
        case_id=row["case_id"],
        parent_id=row["parent_id"],
        block_type=row["block_type"],
        title=row["title"],
        position=row["position"],
        hidden=row["hidden"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        updated_at=row["updated_at"],
        elements=tuple(element_record(e) for e in elements),
    )
