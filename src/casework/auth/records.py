"""The read model of a user, as other APIs name people (authors, assignees, closers): no secrets, no ORM entity."""

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: uuid.UUID
    email: str
    name: str
