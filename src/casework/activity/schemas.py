import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from casework.activity.labels import action_label
from casework.activity.records import ActivityRecord
from casework.descriptions import CASE_ID, ID, ITEMS, NEXT_CURSOR


class ActivityRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The entry's integer handle.")
    case_id: uuid.UUID = Field(description=CASE_ID)
    actor_id: uuid.UUID | None = Field(description="The token's user, whose permissions the change was made with.")
    on_behalf_of: uuid.UUID | None = Field(
        description="The user an integration token (scope cases:impersonate) acted for; null otherwise."
    )
    action: str = Field(
        description="What happened, a fixed code such as `created`, `status_changed`, `commented` or `case_deleted`."
    )
    label: str = Field(description="The action in the caller's language (Accept-Language).")
    changes: dict[str, Any] = Field(description="Each changed field as [old, new].")
    source: str = Field(
        description="Where the change came from: `native` (this API), a dialect's name (`kibana`, `datadog`), `cli` or "
        "`worker`."
    )
    created_at: datetime = Field(description="When it happened (RFC 3339, UTC).")


class ActivityPage(BaseModel):
    items: list[ActivityRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


def activity_view(entry: ActivityRecord, language: str) -> dict[str, Any]:
    stored = {name: getattr(entry, name) for name in ActivityRead.model_fields if name != "label"}
    return ActivityRead(**stored, label=action_label(entry.action, language)).model_dump(mode="json")
