"""What the comments service hands out: plain values, readable once its unit of work is over."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CommentRecord:
    id: uuid.UUID
    number: int
    case_id: uuid.UUID
    author_id: uuid.UUID
    version: int
    title: str | None
    public: bool
    body: str
    # Active users of the workspace named in the body, in order of first appearance.
    mentions: tuple[uuid.UUID, ...]
    # The references written as <@user-REF> in the body that named no active user of the workspace when written.
    unresolved_mentions: tuple[str, ...]
    # The files of the case this comment carries, by id.
    file_ids: tuple[uuid.UUID, ...]
    created_at: datetime
    updated_at: datetime
    updated_by: uuid.UUID


@dataclass(frozen=True, slots=True)
class CommentAdded:
    comment: CommentRecord
    case_version: int
