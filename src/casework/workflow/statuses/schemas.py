"""Statuses and transitions as the API takes and shows them; labels are shown in the caller's language."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.descriptions import CREATED_AT, ID, UPDATED_AT
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
StatusRef = Annotated[
    str, StringConstraints(min_length=1, max_length=64), Field(description="A status id, handle or name.")
]


STATUS_NAME = "The status's name, 1 to 64 characters, unique in the project; cases name it."
COLOUR = "`#RRGGBB`, kept in capitals."
GROUP = "Where the status sits in the workflow: open, in_progress or closed (closed stamps closed_at)."
CATEGORY = "new, open, pending, on_hold, resolved or closed; resolved and closed only in the closed group."
STATUS_POSITION = "Its place in the project's list of statuses, 0 to 10,000."
IS_DEFAULT = "The status a case takes when given only its group; one per group."


class StatusCreate(StrictInput):
    name: StatusName = Field(description=STATUS_NAME)
    colour: Colour = Field(default="#6B7280", description=COLOUR)
    position: Position | None = Field(default=None, description="After the last status when absent.")
    group: Group = Field(description=GROUP)
    category: Category = Field(description=CATEGORY)
    is_default: bool = Field(default=False, description="Becomes its group's default, in place of the former one.")


class StatusUpdate(StrictInput):
    """Only the fields present change."""

    name: StatusName | None = Field(default=None, description=STATUS_NAME)
    colour: Colour | None = Field(default=None, description=COLOUR)
    position: Position | None = Field(default=None, description=STATUS_POSITION)
    group: Group | None = Field(default=None, description=GROUP)
    category: Category | None = Field(default=None, description=CATEGORY)
    is_default: bool | None = Field(default=None, description=IS_DEFAULT)


class StatusRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The status's integer handle: accepted wherever its id is.")
    name: str = Field(description=STATUS_NAME)
    label: str = Field(description="The name in the caller's language for a seeded, unrenamed status; else the name.")
    colour: str = Field(description=COLOUR)
    position: int = Field(description=STATUS_POSITION)
    group: Group = Field(description=GROUP)
    group_label: str = Field(description="The group in the caller's language.")
    category: Category = Field(description=CATEGORY)
    category_label: str = Field(description="The category in the caller's language.")
    is_default: bool = Field(description=IS_DEFAULT)
    created_at: datetime = Field(description=CREATED_AT)
    updated_at: datetime = Field(description=UPDATED_AT)


class Transition(StrictInput):
    from_: StatusRef = Field(alias="from")
    to: StatusRef


class TransitionsUpdate(StrictInput):
    transitions: Annotated[
        list[Transition],
        Field(max_length=MAX_TRANSITIONS, description="Every allowed move; replaces the project's whole list."),
    ]


class StatusBrief(BaseModel):
    id: uuid.UUID = Field(description="The status's id.")
    name: str = Field(description="The status's name.")


class TransitionRead(BaseModel):
    from_: StatusBrief = Field(alias="from", description="The status a case moves from.")
    to: StatusBrief = Field(description="The status it may move to.")


class TransitionsRead(BaseModel):
    restrict_transitions: bool = Field(description="Only when true are moves limited to the listed transitions.")
    transitions: list[TransitionRead] = Field(description="The allowed moves.")


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
