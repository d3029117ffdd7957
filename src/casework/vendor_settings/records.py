"""What the vendor settings service hands out: plain values, read inside its unit of work."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class VendorSettingRecord:
    id: uuid.UUID
    dialect: str
    scope: str
    data: dict[str, Any]
    version: int
    created_at: datetime
    created_by: uuid.UUID
    updated_at: datetime | None
    updated_by: uuid.UUID | None
