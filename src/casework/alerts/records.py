"""What the alerts service hands out: plain values, readable once its unit of work is over."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    # Shared by the alerts one request attached.
    attachment_id: uuid.UUID
    alert_id: str
    index: str
    rule_id: str | None
    rule_name: str | None
    owner: str
    created_at: datetime
    created_by: uuid.UUID


@dataclass(frozen=True, slots=True)
class AlertAttachmentRecord:
    """The alerts one request attached, as one attachment: its alerts in the order they were given."""

    id: uuid.UUID
    case_id: uuid.UUID
    alert_ids: tuple[str, ...]
    indexes: tuple[str, ...]
    rule_id: str | None
    rule_name: str | None
    owner: str
    version: int
    created_at: datetime
    created_by: uuid.UUID
    updated_at: datetime | None
    updated_by: uuid.UUID | None
