import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from casework.auth.schemas import Name
from casework.i18n import _
from casework.inputs import Matching, StrictInput
from casework.workflow.conditions.schemas import ClosureConditions

# When a project's SLAs warn, as a percentage of their targets: one range wherever it is set (the project's settings,
# its SLA policy set, either CLI command).
SLA_WARNING_PERCENT_RANGE = (1, 99)
SLA_WARNING_PERCENT_HELP = "When an SLA warns, in percent of its target, {}..{} (75 at first).".format(
    *SLA_WARNING_PERCENT_RANGE
)
SlaWarningPercent = Annotated[int, Field(ge=SLA_WARNING_PERCENT_RANGE[0], le=SLA_WARNING_PERCENT_RANGE[1])]

ProjectKey = Annotated[
    str, Matching(r"^[A-Z][A-Z0-9]{1,9}$", _("must be 2 to 10 capital letters and digits, starting with a letter"))
]
Description = Annotated[str, StringConstraints(max_length=2000)]


class ProjectCreate(StrictInput):
    id: uuid.UUID | None = Field(
        default=None, description="The id to give the project (teams migrating keep theirs); 409 if taken."
    )
    key: ProjectKey
    name: Name
    description: Description = ""


class WorkflowSettings(StrictInput):
    """A project's workflow settings; admins and managers change them."""

    restrict_transitions: bool | None = Field(default=None, description="Allow only the listed status transitions.")
    resolution_required: bool | None = Field(
        default=None, description="Entering a resolved or closed category needs a resolution."
    )
    closed_read_only: bool | None = Field(default=None, description="A closed case changes only by reopening it.")
    comments_on_closed: bool | None = Field(default=None, description="Comments stay open on closed cases.")
    sla_warning_percent: SlaWarningPercent | None = Field(default=None, description=SLA_WARNING_PERCENT_HELP)
    closure_conditions: ClosureConditions | None = Field(
        default=None, description="Conditions every case of the project must meet to close, beside its own."
    )


WORKFLOW_SETTINGS = frozenset(WorkflowSettings.model_fields)


class ProjectUpdate(WorkflowSettings):
    """Only the fields present change. Name, description and managers_may_delete are for admins only."""

    name: Name | None = None
    description: Description | None = None
    managers_may_delete: bool | None = Field(
        default=None, description="Managers may delete the project's cases for good (admins always may)."
    )


class ClosureConditionRead(BaseModel):
    name: str
    formula: str


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int = Field(description="The project's integer handle: accepted wherever its id or key is.")
    key: str
    name: str
    description: str
    restrict_transitions: bool
    resolution_required: bool
    closed_read_only: bool
    comments_on_closed: bool
    sla_warning_percent: int
    managers_may_delete: bool
    closure_conditions: list[ClosureConditionRead]
    created_at: datetime
    updated_at: datetime
