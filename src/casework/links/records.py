"""What the links service hands out: plain values, read inside its unit of work."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """One side of a link, as its case sees it: the linked case's id, key, title, status and archive time."""

    id: uuid.UUID
    linked_case_id: uuid.UUID
    key: str
    title: str
    status: str
    archived_at: datetime | None
    relation: str
    created_at: datetime
    created_by: uuid.UUID
