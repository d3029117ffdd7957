"""Case types as the API takes and shows them. A type's prefill holds only what it sets; a new case of the type
takes each prefilled value it does not set itself (its fields are merged key by key). The built-in STANDARD shows
the id STANDARD_ID in every workspace."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.descriptions import CREATED_AT, ID, UPDATED_AT
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
EMOJI = "A short symbol shown with the type's name, such as an emoji."
Emoji = Annotated[
    str,
    StringConstraints(min_length=1, max_length=16),
    Matching(r"^\S+$", _("must not contain spaces")),
    Field(description=EMOJI),
]


TYPE_NAME = "The type's name, 1 to 64 characters, unique among the types a project sees."
TYPE_DESCRIPTION = "What the type is for, up to 2,000 characters."
PREFILL = "What a new case of the type takes for each value it does not set (fields merged key by key)."
TYPE_ACTIVE = "Only an active type may be given to cases; an inactive one stays on the cases holding it."


class Prefill(StrictInput):
    description: Description | None = Field(default=None, description="The case's description.")
    priority: Priority | None = Field(default=None, description="The case's priority.")
    severity: Severity | None = Field(default=None, description="The case's severity.")
    tags: Tags | None = Field(default=None, description="The case's tags.")
    fields: FieldValues | None = Field(default=None, description="Custom field values, by key.")
    closure_conditions: ClosureConditions | None = Field(default=None, description="The case's closure conditions.")

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class CaseTypeCreate(StrictInput):
    id: uuid.UUID | None = Field(
        default=None, description="Admins only: the id to give the type (teams migrating keep theirs); 409 if taken."
    )
    name: TypeName = Field(description=TYPE_NAME)
    description: TypeDescription = Field(default="", description=TYPE_DESCRIPTION)
    emoji: Emoji | None = Field(default=None, description=EMOJI)
    prefill: Prefill = Field(default=Prefill(), description=PREFILL)
    active: bool = Field(default=True, description=TYPE_ACTIVE)


class CaseTypeUpdate(StrictInput):
    """Only the fields present change; `prefill` replaces the whole prefill; `emoji: null` removes the emoji."""

    name: TypeName | None = Field(default=None, description=TYPE_NAME)
    description: TypeDescription | None = Field(default=None, description=TYPE_DESCRIPTION)
    emoji: Emoji | None = Field(default=None, description=EMOJI)
    prefill: Prefill | None = Field(default=None, description=PREFILL)
    active: bool | None = Field(default=None, description=TYPE_ACTIVE)


class CaseTypeRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    project_id: uuid.UUID | None = Field(description="The project that owns it; null for a workspace-level type.")
    name: str = Field(description=TYPE_NAME)
    description: str = Field(description=TYPE_DESCRIPTION)
    emoji: str | None = Field(description=EMOJI)
    prefill: dict[str, Any] = Field(description=PREFILL)
    builtin: bool = Field(description="True for STANDARD, which is never renamed, deactivated or deleted.")
    active: bool = Field(description=TYPE_ACTIVE)
    created_at: datetime = Field(description=CREATED_AT)
    updated_at: datetime = Field(description=UPDATED_AT)
    deleted_at: datetime | None = Field(description="When it was deleted (soft: cases keep it); null unless deleted.")


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
