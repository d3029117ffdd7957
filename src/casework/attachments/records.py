"""What the files service hands out: plain values, readable once its unit of work is over. Where the bytes are
stored is the service's business, not the reader's."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FileRecord:
    id: uuid.UUID
    number: int
    case_id: uuid.UUID
    comment_id: uuid.UUID | None
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: uuid.UUID
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FileAdded:
    file: FileRecord
    case_version: int
