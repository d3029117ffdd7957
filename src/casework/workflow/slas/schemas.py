"""SLA policies as the API takes and shows them (a case's SLAs are shown by cases.schemas.SlaRead)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from casework.inputs import StrictInput
from casework.projects.models import Project
from casework.projects.schemas import SLA_WARNING_PERCENT_HELP, SlaWarningPercent
from casework.workflow.case_values import Priority, priority_label
from casework.workflow.slas.models import SlaPolicy

SlaType = Literal["response", "completion"]
# One policy per SLA type and priority (P1..P5 and none).
MAX_POLICIES = 12
MIN_TARGET_SECONDS = 60
MAX_TARGET_SECONDS = 365 * 24 * 3600


SLA_TYPE = "`response`: until the first assignment or comment; `completion`: until the case closes."
TARGET_SECONDS = "The time allowed, in seconds of counted time (60 to one year)."


class SlaPolicyInput(StrictInput):
    sla_type: SlaType = Field(description=SLA_TYPE)
    priority: Priority | None = Field(
        default=None, description="The priority this target applies to; null: cases without one."
    )
    target_seconds: Annotated[int, Field(ge=MIN_TARGET_SECONDS, le=MAX_TARGET_SECONDS)] = Field(
        description=TARGET_SECONDS
    )
    pause_when_pending: bool = Field(default=False, description="Stop counting while the case is pending or on hold.")


class SlaPolicySet(StrictInput):
    """The whole set: it replaces the project's policies. A type and priority appears at most once."""

    policies: Annotated[list[SlaPolicyInput], Field(max_length=MAX_POLICIES)] = Field(
        description="The project's policies, at most one per SLA type and priority."
    )
    warning_percent: SlaWarningPercent | None = Field(
        default=None, description=f"{SLA_WARNING_PERCENT_HELP} Unchanged when absent."
    )


class SlaPolicyRead(BaseModel):
    sla_type: SlaType = Field(description=SLA_TYPE)
    priority: Priority | None = Field(description="The priority it applies to; null: cases without one.")
    target_seconds: int = Field(description=TARGET_SECONDS)
    pause_when_pending: bool = Field(description="The clock stops while the case is pending or on hold.")


class SlaPolicySetRead(BaseModel):
    warning_percent: int = Field(description=SLA_WARNING_PERCENT_HELP)
    policies: list[SlaPolicyRead] = Field(description="The project's policies.")


def policy_set_view(project: Project, policies: list[SlaPolicy]) -> dict[str, Any]:
    return {
        "warning_percent": project.sla_warning_percent,
        "policies": [
            {
                "sla_type": p.sla_type,
                "priority": priority_label(p.priority_rank),
                "target_seconds": p.target_seconds,
                "pause_when_pending": p.pause_when_pending,
            }
            for p in policies
        ],
    }
