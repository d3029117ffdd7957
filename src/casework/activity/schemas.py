import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from casework.activity.labels import action_label
from casework.activity.records import ActivityRecord


class ActivityRead(BaseModel):
    id: uuid.UUID
    number: int = Field(description="The entry's integer handle.")
    case_id: uuid.UUID
    actor_id: uuid.UUID | None = Field(description="The token's user, whose permissions the change was made with.")
    on_behalf_of: uuid.UUID | None = Field(
        description="The user an integration token (scope cases:impersonate) acted for; null otherwise."
    )
    action: str
    label: str = Field(description="The action in the caller's language (Accept-Language).")
    changes: dict[str, Any] = Field(description="Each changed field as [old, new].")
    source: str
    created_at: datetime


class ActivityPage(BaseModel):
    items: list[ActivityRead]
    next_cursor: str | None


def activity_view(entry: ActivityRecord, language: str) -> dict[str, Any]:
    stored = {name: getattr(entry, name) for name in ActivityRead.model_fields if name != "label"}
    return ActivityRead(**stored, label=action_label(entry.action, language)).model_dump(mode="json")
