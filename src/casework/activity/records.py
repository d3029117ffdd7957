"""What the activity log hands out: plain values, readable once its unit of work is over."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    id: uuid.UUID
    number: int
    case_id: uuid.UUID
    actor_id: uuid.UUID | None
    on_behalf_of: uuid.UUID | None
    action: str
    # Each changed field as [old, new], as the entry stored it.
    changes: dict[str, Any]
    source: str
    created_at: datetime
