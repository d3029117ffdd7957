"""What the insights service hands out: plain values, readable once its unit of work is over."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class InsightRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    type: str
    ref: str
    resource_id: str
    created_at: datetime
    created_by: uuid.UUID
