"""The review flow's native API: one action body per type (a union tagged by `type`), and the views.

Limits: a comment of 1..30,000 characters, an outcome of 1..160, at most 100 documents (files of the case) per
action and 1..10 reviewers per override.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, TypeAdapter

from casework.cases.schemas import OverrideFlag, ShortText
from casework.comments.schemas import MAX_BODY_CHARS
from casework.descriptions import CASE_ID, CREATED_AT, ID, ITEMS, NEXT_CURSOR
from casework.errors import InvalidInput
from casework.i18n import Message, _, translate
from casework.inputs import StrictInput, not_blank, unique_items
from casework.workflow.overrides.models import CaseAction, OverrideRequest

MAX_DOCUMENTS = 100
MAX_REVIEWERS = 10
MAX_OUTCOME = 160

Comment = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_BODY_CHARS),
    AfterValidator(not_blank),
    Field(description="Markdown, 1 to 30,000 characters, not blank."),
]
Documents = Annotated[
    list[uuid.UUID],
    Field(max_length=MAX_DOCUMENTS, description="Ids of files already uploaded to this case (at most 100)."),
    AfterValidator(unique_items),
]
OverrideRef = Annotated[
    uuid.UUID | None,
    Field(description="The override acted on; the case's pending override when absent."),
]


FILES_OF_THE_CASE = "Ids of files of the case given as documents."


class CommentAction(StrictInput):
    """A comment on the case (it is a real comment, shown by every API); its documents become the comment's files."""

    type: Literal["comment"]
    comment: Comment
    documents: Documents = []


class OverrideAction(StrictInput):
    """Ask the reviewers to set the case's outcome. Agents, managers and admins may; one pending override per case."""

    type: Literal["override"]
    outcome: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_OUTCOME),
        Field(description="The outcome asked for, e.g. `favorable` or `unfavorable` (free text, 1..160)."),
    ]
    comment: Comment = Field(description="The justification.")
    documents: Documents = []
    reviewers: Annotated[
        list[uuid.UUID],
        Field(
            min_length=1,
            max_length=MAX_REVIEWERS,
            description="1..10 active users with the role reviewer, manager or admin; never the requester.",
        ),
        AfterValidator(unique_items),
    ]


class AcceptAction(StrictInput):
    """Accept the override (an assigned reviewer who did not request it): the case's outcome becomes its outcome."""

    type: Literal["accept"]
    override: OverrideRef = None
    comment: Comment | None = None
    documents: Documents = []


class RefuseAction(StrictInput):
    """Refuse the override (an assigned reviewer who did not request it); the case's outcome stays."""

    type: Literal["refuse"]
    override: OverrideRef = None
    comment: Comment | None = None
    documents: Documents = []


class CancelAction(StrictInput):
    """Withdraw the override (its requester only)."""

    type: Literal["cancel"]
    override: OverrideRef = None
    comment: Comment | None = None
    documents: Documents = []


class CloseAction(StrictInput):
    """Close the case, as a status change to the closed group would; refused while an override is pending."""

    type: Literal["close"]
    comment: Comment | None = None
    documents: Documents = []
    resolution: ShortText | None = None
    override_closure_conditions: OverrideFlag | None = None


ActionCreate = Annotated[
    CommentAction | OverrideAction | AcceptAction | RefuseAction | CancelAction | CloseAction,
    Field(discriminator="type"),
]
DecisionAction = AcceptAction | RefuseAction | CancelAction
ACTION_BODY: TypeAdapter[Any] = TypeAdapter(ActionCreate)
ACTION_MODELS = (CommentAction, OverrideAction, AcceptAction, RefuseAction, CancelAction, CloseAction)


def untagged_errors(errors: list[Any]) -> list[Any]:
    """pydantic's errors located as the client wrote the body: without the union's tag (`reviewers`, not
    `override.reviewers`), and a missing or unknown tag located at `type`."""
    located = []
    for error in errors:
        if error["type"] in ("union_tag_not_found", "union_tag_invalid"):
            loc: tuple[Any, ...] = ("type",)
        else:
            loc = tuple(error["loc"][1:])
        located.append({**error, "loc": loc})
    return located


# include=: the related objects an action list or answer may carry along.
INCLUDES = ("user", "comment", "comment.documents", "override", "override.assigned_reviewers")


def parse_include(raw: str | None) -> frozenset[str]:
    """The comma-separated include list; a nested one (`comment.documents`) brings its parent too."""
    if raw is None:
        return frozenset()
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = sorted(wanted - set(INCLUDES))
    if unknown:
        raise InvalidInput.field(
            "include",
            _("unknown: {unknown}; allowed: {allowed}", unknown=", ".join(unknown), allowed=", ".join(INCLUDES)),
        )
    return frozenset(wanted | {part.split(".")[0] for part in wanted})


# Views

TYPE_LABELS: dict[str, Message] = {
    "comment": _("Comment"),
    "override": _("Override request"),
    "accept": _("Acceptance"),
    "refuse": _("Refusal"),
    "cancel": _("Cancellation"),
    "close": _("Closure"),
}
STATE_LABELS: dict[str, Message] = {
    "pending": _("Pending"),
    "accepted": _("Accepted"),
    "refused": _("Refused"),
    "cancelled": _("Cancelled"),
}


class ActionRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The action's integer handle.")
    case_id: uuid.UUID = Field(description=CASE_ID)
    type: Literal["comment", "override", "accept", "refuse", "cancel", "close"] = Field(
        description="What was done: comment, override (a request), accept, refuse, cancel or close."
    )
    type_label: str = Field(description="The type in the caller's language (Accept-Language).")
    user_id: uuid.UUID = Field(description="The user who acted.")
    comment: str | None = Field(description="The text given with the action.")
    comment_id: uuid.UUID | None = Field(description="The case comment a `comment` action created.")
    documents: list[uuid.UUID] = Field(description=FILES_OF_THE_CASE)
    override_id: uuid.UUID | None = Field(
        description="The override request it made or acted on; null for comment and close."
    )
    created_at: datetime = Field(description="When it was done (RFC 3339, UTC).")
    included: dict[str, list[dict[str, Any]]] | None = Field(
        default=None,
        description="With `include`: `users`, `comments`, `documents` (files), `overrides`, each a list of views.",
    )


class ActionPage(BaseModel):
    items: list[ActionRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)
    included: dict[str, list[dict[str, Any]]] | None = Field(
        default=None, description="With `include`: the related objects of this page's actions."
    )


class OverrideRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    case_id: uuid.UUID = Field(description=CASE_ID)
    state: Literal["pending", "accepted", "refused", "cancelled"] = Field(
        description="pending until a reviewer accepts or refuses it or its requester cancels it."
    )
    state_label: str = Field(description="The state in the caller's language (Accept-Language).")
    outcome: str = Field(description="The outcome asked for; accepting sets it on the case.")
    justification: str = Field(description="Why it was asked, markdown.")
    documents: list[uuid.UUID] = Field(description=FILES_OF_THE_CASE)
    reviewers: list[uuid.UUID] = Field(description="The users asked to decide (1 to 10).")
    created_by: uuid.UUID = Field(description="The user who asked for it.")
    created_at: datetime = Field(description=CREATED_AT)
    decided_by: uuid.UUID | None = Field(description="Who accepted, refused or cancelled it.")
    decided_at: datetime | None = Field(description="When it was accepted, refused or cancelled; null while pending.")


class OverridePage(BaseModel):
    items: list[OverrideRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


def action_view(action: CaseAction, language: str) -> dict[str, Any]:
    return {
        "id": str(action.id),
        "number": action.number,
        "case_id": str(action.case_id),
        "type": action.type,
        "type_label": translate(TYPE_LABELS[action.type], language),
        "user_id": str(action.user_id),
        "comment": action.comment,
        "comment_id": str(action.comment_id) if action.comment_id else None,
        "documents": list(action.document_ids),
        "override_id": str(action.override_id) if action.override_id else None,
        "created_at": action.created_at,
    }


def override_view(override: OverrideRequest, language: str) -> dict[str, Any]:
    return {
        "id": str(override.id),
        "case_id": str(override.case_id),
        "state": override.state,
        "state_label": translate(STATE_LABELS[override.state], language),
        "outcome": override.outcome,
        "justification": override.justification,
        "documents": list(override.document_ids),
        "reviewers": list(override.reviewer_ids),
        "created_by": str(override.created_by),
        "created_at": override.created_at,
        "decided_by": str(override.decided_by) if override.decided_by else None,
        "decided_at": override.decided_at,
    }
