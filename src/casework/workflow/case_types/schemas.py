"""Case types as the API takes and shows them. A type's prefill holds only what it sets; a new case of the type
takes each prefilled value it does not set itself (its fields are merged key by key)."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints

from casework.cases.schemas import Description, FieldValues, Priority, Severity, Tags
from casework.inputs import StrictInput, not_blank
from casework.workflow.case_types.models import CaseType
from casework.workflow.conditions.schemas import ClosureConditions

MAX_TYPES_PER_PROJECT = 100

TypeName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(not_blank)
]
TypeDescription = Annotated[str, StringConstraints(max_length=2000)]


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
    name: TypeName
    description: TypeDescription = ""
    prefill: Prefill = Prefill()
    active: bool = True


class CaseTypeUpdate(StrictInput):
    """Only the fields present change; `prefill` replaces the whole prefill."""

    name: TypeName | None = None
    description: TypeDescription | None = None
    prefill: Prefill | None = None
    active: bool | None = None


class CaseTypeRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    prefill: dict[str, Any]
    builtin: bool
    active: bool
    created_at: datetime
    updated_at: datetime


def case_type_view(case_type: CaseType) -> dict[str, Any]:
    return {
        "id": str(case_type.id),
        "name": case_type.name,
        "description": case_type.description,
        "prefill": case_type.prefill,
        "builtin": case_type.builtin,
        "active": case_type.active,
        "created_at": case_type.created_at,
        "updated_at": case_type.updated_at,
    }
