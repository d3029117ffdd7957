"""What the watchers service hands out: plain values, read inside its unit of work."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class WatcherRecord:
    case_id: uuid.UUID
    user_id: uuid.UUID
    created_at: datetime
