import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from casework.descriptions import ITEMS, NEXT_CURSOR
from casework.inputs import StrictInput
from casework.watchers.records import WatcherRecord


class WatcherAdd(StrictInput):
    user_id: uuid.UUID = Field(description="An active user of the workspace.")


class WatcherRead(BaseModel):
    user_id: uuid.UUID = Field(description="The user watching the case.")
    created_at: datetime = Field(description="When the user started watching the case.")


class WatcherPage(BaseModel):
    items: list[WatcherRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


def watcher_view(watcher: WatcherRecord) -> dict[str, Any]:
    return {"user_id": str(watcher.user_id), "created_at": watcher.created_at}
