"""What the Kibana routes answer, as /kibana/openapi.json documents it (the answers themselves are built by
`wire`, straight to JSON)."""

from typing import Any, Literal

from pydantic import BaseModel, Field


class KibanaUser(BaseModel):
    email: str | None
    full_name: str | None
    username: str | None
    profile_uid: str | None = Field(default=None, description="The casework user id.")


class AssigneeRead(BaseModel):
    uid: str


class CustomFieldRead(BaseModel):
    key: str
    type: Literal["text", "toggle", "number", "list"]
    value: str | bool | int | float | None


class ConnectorRead(BaseModel):
    id: str
    name: str
    type: str
    fields: dict[str, Any] | None


class SettingsRead(BaseModel):
    syncAlerts: bool


class CaseRead(BaseModel):
    """A case as Kibana shows it."""

    id: str
    version: str = Field(description="Opaque; send it back to change the case.")
    owner: str
    title: str
    description: str
    status: Literal["open", "in-progress", "closed"]
    severity: Literal["low", "medium", "high", "critical"]
    tags: list[str]
    category: str | None
    assignees: list[AssigneeRead]
    customFields: list[CustomFieldRead]
    connector: ConnectorRead
    settings: SettingsRead
    external_service: dict[str, Any] | None
    comments: list[dict[str, Any]] = Field(description="Attachments: only the comment routes fill it.")
    totalComment: int
    totalAlerts: int
    created_at: str
    created_by: KibanaUser
    updated_at: str | None
    updated_by: KibanaUser | None
    closed_at: str | None
    closed_by: KibanaUser | None
    duration: int | None = Field(description="Whole seconds from creation to closing, while closed.")


class StatusCounts(BaseModel):
    count_open_cases: int
    count_in_progress_cases: int
    count_closed_cases: int


class FindResponse(StatusCounts):
    cases: list[CaseRead]
    page: int
    per_page: int
    total: int
