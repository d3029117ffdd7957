"""Statuses and transitions as the API takes and shows them; labels are shown in the caller's language."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.i18n import _, translate
from casework.inputs import Matching, StrictInput, not_blank
from casework.workflow.statuses.defaults import DEFAULT_STATUSES, LABELS
from casework.workflow.statuses.models import CaseStatus, StatusTransition

MAX_STATUSES_PER_PROJECT = 50
MAX_TRANSITIONS = MAX_STATUSES_PER_PROJECT * (MAX_STATUSES_PER_PROJECT - 1)

Group = Literal["open", "in_progress", "closed"]
Category = Literal["new", "open", "pending", "on_hold", "resolved", "closed"]
# A status in the closed group is resolved or closed, and only there: closing follows the group.
CLOSED_CATEGORIES = ("resolved", "closed")

GROUP_LABELS = {"open": _("Open"), "in_progress": _("In progress"), "closed": _("Closed")}
CATEGORY_LABELS = {
    "new": _("New"),
    "open": _("Open"),
    "pending": _("Pending"),
    "on_hold": _("On hold"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
}
SEEDED_NAMES = {status.key: status.name for status in DEFAULT_STATUSES}

StatusName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(not_blank)
]
Colour = Annotated[
    str, Matching(r"^#[0-9A-Fa-f]{6}$", _("must be a colour written #RRGGBB in hexadecimal")), AfterValidator(str.upper)
]
Position = Annotated[int, Field(ge=0, le=10_000)]
StatusRef = Annotated[str, StringConstraints(min_length=1, max_length=64), Field(description="A status id, handle or name.")]


class StatusCreate(StrictInput):
    name: StatusName
    colour: Colour = "#6B7280"
    position: Position | None = Field(default=None, description="After the last status when absent.")
    group: Group
    category: Category
    is_default: bool = Field(default=False, description="Becomes its group's default, in place of the former one.")


class StatusUpdate(StrictInput):
    """Only the fields present change."""

    name: StatusName | None = None
    colour: Colour | None = None
    position: Position | None = None
    group: Group | None = None
    category: Category | None = None
    is_default: bool | None = None


class StatusRead(BaseModel):
    id: uuid.UUID
    number: int = Field(description="The status's integer handle: accepted wherever its id is.")
    name: str
    label: str
    colour: str
    position: int
    group: Group
    group_label: str
    category: Category
    category_label: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


class Transition(StrictInput):
    from_: StatusRef = Field(alias="from")
    to: StatusRef


class TransitionsUpdate(StrictInput):
    transitions: Annotated[
        list[Transition],
        Field(max_length=MAX_TRANSITIONS, description="Every allowed move; replaces the project's whole list."),
    ]


class StatusBrief(BaseModel):
    id: uuid.UUID
    name: str


class TransitionRead(BaseModel):
    from_: StatusBrief = Field(alias="from")
    to: StatusBrief


class TransitionsRead(BaseModel):
    restrict_transitions: bool = Field(description="Only when true are moves limited to the listed transitions.")
    transitions: list[TransitionRead]


def status_label(status: CaseStatus, language: str) -> str:
    """A seeded status keeps its translated label until it is renamed; any other status is shown by its name."""
    if status.builtin_key is not None and SEEDED_NAMES.get(status.builtin_key) == status.name:
        return translate(LABELS[status.builtin_key], language)
    return status.name


def status_view(status: CaseStatus, language: str) -> dict[str, Any]:
    return {
        "id": str(status.id),
        "number": status.number,
        "name": status.name,
        "label": status_label(status, language),
        "colour": status.colour,
        "position": status.position,
        "group": status.group,
        "group_label": translate(GROUP_LABELS[status.group], language),
        "category": status.category,
        "category_label": translate(CATEGORY_LABELS[status.category], language),
        "is_default": status.is_default,
        "created_at": status.created_at,
        "updated_at": status.updated_at,
    }


def transitions_view(
    restricted: bool, transitions: list[StatusTransition], statuses: list[CaseStatus]
) -> dict[str, Any]:
    by_id = {status.id: status for status in statuses}

    def brief(status_id: uuid.UUID) -> dict[str, str]:
        return {"id": str(status_id), "name": by_id[status_id].name}

    return {
        "restrict_transitions": restricted,
        "transitions": [{"from": brief(t.from_status_id), "to": brief(t.to_status_id)} for t in transitions],
    }
