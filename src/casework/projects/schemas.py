import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from casework.auth.schemas import Name
from casework.descriptions import CREATED_AT, ID, UPDATED_AT
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


PROJECT_KEY = "2 to 10 capital letters and digits, starting with a letter; case keys start with it (`SEC-12`)."
PROJECT_NAME = "The project's name for people, 1 to 160 characters."
PROJECT_DESCRIPTION = "What the project is for, up to 2,000 characters."
CONDITION_NAME = "The condition's name, unique among the list's; refusals name it in `failing_conditions`."
CONDITION_FORMULA = "The formula as written, Tines style; the case may close only while it holds."
RESTRICT_TRANSITIONS = "Only the listed status transitions are allowed."
RESOLUTION_REQUIRED = "Entering a resolved or closed category needs a resolution."
CLOSED_READ_ONLY = "A closed case changes only by reopening it."
COMMENTS_ON_CLOSED = "Comments stay open on closed cases."
MANAGERS_MAY_DELETE = "Managers may delete the project's cases for good (admins always may)."
PROJECT_CONDITIONS = "Conditions every case of the project must meet to close, beside its own."


class ProjectCreate(StrictInput):
    id: uuid.UUID | None = Field(
        default=None, description="The id to give the project (teams migrating keep theirs); 409 if taken."
    )
    key: ProjectKey = Field(description=PROJECT_KEY)
    name: Name = Field(description=PROJECT_NAME)
    description: Description = Field(default="", description=PROJECT_DESCRIPTION)


class WorkflowSettings(StrictInput):
    """A project's workflow settings; admins and managers change them."""

    restrict_transitions: bool | None = Field(default=None, description=RESTRICT_TRANSITIONS)
    resolution_required: bool | None = Field(default=None, description=RESOLUTION_REQUIRED)
    closed_read_only: bool | None = Field(default=None, description=CLOSED_READ_ONLY)
    comments_on_closed: bool | None = Field(default=None, description=COMMENTS_ON_CLOSED)
    sla_warning_percent: SlaWarningPercent | None = Field(default=None, description=SLA_WARNING_PERCENT_HELP)
    closure_conditions: ClosureConditions | None = Field(default=None, description=PROJECT_CONDITIONS)


WORKFLOW_SETTINGS = frozenset(WorkflowSettings.model_fields)


class ProjectUpdate(WorkflowSettings):
    """Only the fields present change. Name, description and managers_may_delete are for admins only."""

    name: Name | None = Field(default=None, description=PROJECT_NAME)
    description: Description | None = Field(default=None, description=PROJECT_DESCRIPTION)
    managers_may_delete: bool | None = Field(default=None, description=MANAGERS_MAY_DELETE)


class ClosureConditionRead(BaseModel):
    name: str = Field(description=CONDITION_NAME)
    formula: str = Field(description=CONDITION_FORMULA)


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The project's integer handle: accepted wherever its id or key is.")
    key: str = Field(description=PROJECT_KEY)
    name: str = Field(description=PROJECT_NAME)
    description: str = Field(description=PROJECT_DESCRIPTION)
    restrict_transitions: bool = Field(description=RESTRICT_TRANSITIONS)
    resolution_required: bool = Field(description=RESOLUTION_REQUIRED)
    closed_read_only: bool = Field(description=CLOSED_READ_ONLY)
    comments_on_closed: bool = Field(description=COMMENTS_ON_CLOSED)
    sla_warning_percent: int = Field(description=SLA_WARNING_PERCENT_HELP)
    managers_may_delete: bool = Field(description=MANAGERS_MAY_DELETE)
    closure_conditions: list[ClosureConditionRead] = Field(description=PROJECT_CONDITIONS)
    created_at: datetime = Field(description=CREATED_AT)
    updated_at: datetime = Field(description=UPDATED_AT)
