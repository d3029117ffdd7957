"""Case types as the API takes and shows them. A type's prefill holds only what it sets; a new case of the type
takes each prefilled value it does not set itself (its fields are merged key by key). The built-in STANDARD shows
the id STANDARD_ID in every workspace."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.i18n import _
from casework.inputs import Matching, StrictInput, not_blank
from casework.workflow.case_types.models import CaseType
from casework.workflow.case_values import Description, FieldValues, Priority, Severity, Tags
from casework.workflow.conditions.schemas import ClosureConditions

MAX_TYPES_PER_PROJECT = 100
# Workspace-level types, beside each project's own.
MAX_WORKSPACE_TYPES = 100

TypeName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(not_blank)
]
TypeDescription = Annotated[str, StringConstraints(max_length=2000)]
Emoji = Annotated[
    str,
    StringConstraints(min_length=1, max_length=16),
    Matching(r"^\S+$", _("must not contain spaces")),
    Field(description="A short symbol shown with the type's name, such as an emoji."),
]


class Prefill(StrictInput):
    description: Description | None = None
    priority: Priority | None = None
    severity: Severity | None = None
    tags: Tags | None = None
    fields: FieldValues | None = None
    closure_conditions: ClosureConditions | None = None

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class CaseTypeCreate(StrictInput):
    id: uuid.UUID | None = Field(
        default=None, description="Admins only: the id to give the type (teams migrating keep theirs); 409 if taken."
    )
    name: TypeName
    description: TypeDescription = ""
    emoji: Emoji | None = None
    prefill: Prefill = Prefill()
    active: bool = True


class CaseTypeUpdate(StrictInput):
    """Only the fields present change; `prefill` replaces the whole prefill; `emoji: null` removes the emoji."""

    name: TypeName | None = None
    description: TypeDescription | None = None
    emoji: Emoji | None = None
    prefill: Prefill | None = None
    active: bool | None = None


class CaseTypeRead(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID | None
    name: str
    description: str
    emoji: str | None
    prefill: dict[str, Any]
    builtin: bool
    active: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


def case_type_view(case_type: CaseType) -> dict[str, Any]:
    return {
        "id": str(case_type.public_id),
        "project_id": str(case_type.project_id) if case_type.project_id else None,
        "name": case_type.name,
        "description": case_type.description,
        "emoji": case_type.emoji,
        "prefill": case_type.prefill,
        "builtin": case_type.builtin,
        "active": case_type.active,
        "created_at": case_type.created_at,
        "updated_at": case_type.updated_at,
        "deleted_at": case_type.deleted_at,
    }
