"""Override requests on a case and the case's action log.

One entry point, perform_action, takes every action type (comment, override, accept, refuse, cancel, close). Each
locks the case, applies its rules, appends one CaseAction row and logs one activity entry through record_change
(so the case version moves), all in the caller's transaction. Who may act:
- comment: anyone who may write to cases (agent, manager, admin, reviewer);
- override: contributors (agent, manager, admin), naming 1..10 reviewers (reviewer, manager or admin; not themselves);
- accept / refuse: a reviewer assigned to the override who did not request it; accepting sets the case's outcome;
- cancel: the override's requester only;
- close: as a status change to the closed group (cases.service refuses it while an override is pending).
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.attachments import service as attachments
from casework.attachments.models import Attachment
from casework.attachments.schemas import file_view
from casework.auth.models import User
from casework.auth.schemas import UserRead
from casework.auth.service import Actor
from casework.cases import service as cases
from casework.cases.records import CaseIdentity, LockedCase
from casework.cases.schemas import CaseUpdate
from casework.comments import service as comments
from casework.comments.schemas import CommentCreate, comment_view
from casework.db.base import new_id, utcnow
from casework.db.handles import insert_with_handle
from casework.errors import Conflict, FieldError, Forbidden, InvalidInput
from casework.i18n import DEFAULT_LANGUAGE, _
from casework.pagination import id_page
from casework.workflow.overrides.models import CaseAction, OverrideRequest
from casework.workflow.overrides.schemas import (
    AcceptAction,
    CancelAction,
    CloseAction,
    CommentAction,
    DecisionAction,
    OverrideAction,
    RefuseAction,
    override_view,
)

CONTRIBUTOR_ROLES = frozenset({"admin", "manager", "agent"})
REVIEWER_ROLES = frozenset({"admin", "manager", "reviewer"})
# The override's state after each decision, and the activity entry that logs it.
DECISIONS = {
    "accept": ("accepted", "override_accepted"),
    "refuse": ("refused", "override_refused"),
    "cancel": ("cancelled", "override_cancelled"),
}

Included = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class ActionResult:
    action: CaseAction
    case_version: int
    included: Included | None = None


@dataclass(frozen=True, slots=True)
class ActionPage:
    actions: list[CaseAction]
    next_cursor: str | None
    included: Included | None = None


def pending_override(session: Session, case_id: uuid.UUID) -> OverrideRequest | None:
    query = select(OverrideRequest).where(OverrideRequest.case_id == case_id, OverrideRequest.state == "pending")
    return session.scalar(query)


# Reading


def list_actions(
    session: Session,
    actor: Actor,
    ref: str,
    cursor: str | None,
    limit: int,
    includes: frozenset[str] = frozenset(),
    language: str = DEFAULT_LANGUAGE,
) -> ActionPage:
    """A page of the case's action log, oldest first, with the related objects `includes` names (their labels in
    `language`)."""
    case = cases.visible_case(session, actor, ref)
    query = select(CaseAction).where(CaseAction.case_id == case.id)
    rows, next_cursor = id_page(session, query, CaseAction.id, cursor, limit)
    return ActionPage(rows, next_cursor, _related(session, case, rows, includes, language) if includes else None)


def list_overrides(
    session: Session, actor: Actor, ref: str, cursor: str | None, limit: int
) -> tuple[list[OverrideRequest], str | None]:
    """A page of the case's override requests, oldest first."""
    case = cases.visible_case(session, actor, ref)
    query = select(OverrideRequest).where(OverrideRequest.case_id == case.id)
    return id_page(session, query, OverrideRequest.id, cursor, limit)


def get_override(session: Session, actor: Actor, ref: str, override_id: str) -> OverrideRequest:
    case = cases.visible_case(session, actor, ref)
    return cases.find_in_case(session, OverrideRequest, case, override_id, "override")


def _related(
    session: Session, case: CaseIdentity, actions: Sequence[CaseAction], includes: frozenset[str], language: str
) -> Included:
    """The objects the actions point at, by kind: users, comments, documents (files), overrides; each by id."""
    included: Included = {}
    user_ids: set[uuid.UUID] = {a.user_id for a in actions} if "user" in includes else set()
    if "comment" in includes:
        wanted = {a.comment_id for a in actions if a.comment_id}
        included["comments"] = [comment_view(c) for c in comments.find_comments(session, case, wanted)]
    if "comment.documents" in includes:
        wanted = {uuid.UUID(d) for a in actions for d in a.document_ids}
        included["documents"] = [file_view(f) for f in attachments.find_files(session, case, wanted)]
    if "override" in includes:
        wanted = {a.override_id for a in actions if a.override_id}
        overrides = list(
            session.scalars(
                select(OverrideRequest)
                .where(OverrideRequest.case_id == case.id, OverrideRequest.id.in_(wanted))
                .order_by(OverrideRequest.id)
            )
        )
        included["overrides"] = [override_view(o, language) for o in overrides]
        if "override.assigned_reviewers" in includes:
            user_ids |= {uuid.UUID(r) for o in overrides for r in o.reviewer_ids}
    if "user" in includes or "override.assigned_reviewers" in includes:
        users = session.scalars(
            select(User).where(User.workspace_id == case.workspace_id, User.id.in_(user_ids)).order_by(User.id)
        )
        included["users"] = [UserRead.model_validate(u).model_dump() for u in users]
    return included


# Acting


def perform_action(
    session: Session,
    actor: Actor,
    ref: str,
    data: CommentAction | OverrideAction | AcceptAction | RefuseAction | CancelAction | CloseAction,
    expected_version: int | None = None,
    includes: frozenset[str] = frozenset(),
    language: str = DEFAULT_LANGUAGE,
) -> ActionResult:
    """Apply one action to the case and append it to the action log; returns the row and the case's new version."""
    if isinstance(data, OverrideAction) and actor.role not in CONTRIBUTOR_ROLES:
        raise Forbidden(_("the role '{role}' may not request an override", role=actor.role))
    case = cases.lock_case_for_change(session, actor, ref, expected_version)
    if isinstance(data, CommentAction):
        action = _comment(session, actor, case, data)
    elif isinstance(data, OverrideAction):
        action = _request_override(session, actor, case, data)
    elif isinstance(data, CloseAction):
        action = _close(session, actor, case, data)
    else:
        action = _decide(session, actor, case, data)
    included = _related(session, case, [action], includes, language) if includes else None
    return ActionResult(action, case.version, included)


def _comment(session: Session, actor: Actor, case: LockedCase, data: CommentAction) -> CaseAction:
    _check_documents(session, case, data.documents, for_comment=True)
    created = comments.add_comment(
        session, actor, str(case.id), CommentCreate(body=data.comment, file_ids=data.documents)
    )
    action = _append(session, actor, case, "comment", data.comment, data.documents, comment_id=created.comment.id)
    changes = _changes(action, comment_id=[None, created.comment.id])
    cases.record_change(session, actor, case, "action_comment", changes)
    return action


def _request_override(session: Session, actor: Actor, case: LockedCase, data: OverrideAction) -> CaseAction:
    if case.status == "closed":
        raise Conflict(_("case {key} is closed; reopen it to request an override", key=case.key))
    _check_reviewers(session, actor, data.reviewers)
    _check_documents(session, case, data.documents)
    if pending_override(session, case.id) is not None:
        raise _one_pending(case)
    values: dict[str, Any] = {
        "id": new_id(),
        "workspace_id": actor.workspace_id,
        "case_id": case.id,
        "state": "pending",
        "outcome": data.outcome,
        "justification": data.comment,
        "document_ids": [str(d) for d in data.documents],
        "reviewer_ids": [str(r) for r in data.reviewers],
        "created_by": actor.user_id,
        "created_at": utcnow(),
        "decided_by": None,
        "decided_at": None,
    }
    try:
        # The partial unique index holds the rule should two requests ever pass the check above together.
        with session.begin_nested():
            session.execute(insert(OverrideRequest.__table__).values(**values))
    except IntegrityError:
        raise _one_pending(case) from None
    action = _append(session, actor, case, "override", data.comment, data.documents, override_id=values["id"])
    changes = _changes(
        action, override_id=[None, values["id"]], outcome=[None, data.outcome], reviewers=[None, values["reviewer_ids"]]
    )
    cases.record_change(session, actor, case, "override_requested", changes)
    return action


def _one_pending(case: CaseIdentity) -> Conflict:
    return Conflict(_("case {key} already has a pending override request", key=case.key))


def _decide(session: Session, actor: Actor, case: LockedCase, data: DecisionAction) -> CaseAction:
    override = _target(session, case, data.override)
    if data.type == "cancel":
        if override.created_by != actor.user_id:
            raise Forbidden(_("only the requester of an override may cancel it"))
    elif override.created_by == actor.user_id:
        raise Forbidden(_("the requester of an override may not accept or refuse it"))
    elif str(actor.user_id) not in override.reviewer_ids:
        raise Forbidden(_("only a reviewer assigned to the override may accept or refuse it"))
    if override.state != "pending":
        raise Conflict(_("the override {id} is already {state}", id=override.id, state=override.state))
    _check_documents(session, case, data.documents)
    state, entry = DECISIONS[data.type]
    override.state, override.decided_by, override.decided_at = state, actor.user_id, utcnow()
    session.flush()
    action = _append(session, actor, case, data.type, data.comment, data.documents, override_id=override.id)
    changes = _changes(action, override_id=[override.id, override.id], state=["pending", state])
    if data.type == "accept":
        changes["outcome"] = [case.outcome, override.outcome]
        cases.set_outcome(session, case, override.outcome)
    cases.record_change(session, actor, case, entry, changes)
    return action


def _target(session: Session, case: CaseIdentity, override_id: uuid.UUID | None) -> OverrideRequest:
    if override_id is not None:
        return cases.find_in_case(session, OverrideRequest, case, override_id, "override")
    override = pending_override(session, case.id)
    if override is None:
        raise Conflict(_("case {key} has no pending override request", key=case.key))
    return override


def _close(session: Session, actor: Actor, case: LockedCase, data: CloseAction) -> CaseAction:
    if case.status == "closed":
        raise Conflict(_("case {key} is already closed", key=case.key))
    _check_documents(session, case, data.documents)
    fields: dict[str, Any] = {"status": "closed"}
    if data.resolution is not None:
        fields["resolution"] = data.resolution
    if data.override_closure_conditions is not None:
        fields["override_closure_conditions"] = data.override_closure_conditions
    cases.change_case(session, actor, case.id, CaseUpdate(**fields))
    action = _append(session, actor, case, "close", data.comment, data.documents)
    cases.record_change(session, actor, case, "closed", _changes(action))
    return action


# Checks and the log row


def _check_reviewers(session: Session, actor: Actor, reviewers: list[uuid.UUID]) -> None:
    roles = dict(
        session.execute(
            select(User.id, User.role).where(
                User.workspace_id == actor.workspace_id, User.id.in_(reviewers), User.active.is_(True)
            )
        ).all()
    )
    errors = []
    for n, user in enumerate(reviewers):
        if user == actor.user_id:
            errors.append(FieldError(f"reviewers.{n}", _("the requester may not review their own override")))
        elif user not in roles:
            errors.append(FieldError(f"reviewers.{n}", _("{id} is not an active user of this workspace", id=user)))
        elif roles[user] not in REVIEWER_ROLES:
            message = _("{id} has the role '{role}'; a reviewer, manager or admin is needed", id=user, role=roles[user])
            errors.append(FieldError(f"reviewers.{n}", message))
    _refuse(errors)


def _check_documents(
    session: Session, case: CaseIdentity, documents: list[uuid.UUID], for_comment: bool = False
) -> None:
    """Documents are files of the case; a comment's must be carried by no other comment (a file has one)."""
    if not documents:
        return
    carriers = dict(
        session.execute(
            select(Attachment.id, Attachment.comment_id).where(
                Attachment.case_id == case.id, Attachment.id.in_(documents)
            )
        ).all()
    )
    errors = []
    for n, document in enumerate(documents):
        if document not in carriers:
            errors.append(FieldError(f"documents.{n}", _("{id} is not a file of this case", id=document)))
        elif for_comment and carriers[document] is not None:
            errors.append(FieldError(f"documents.{n}", _("{id} is already carried by another comment", id=document)))
    _refuse(errors)


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


def _append(
    session: Session,
    actor: Actor,
    case: CaseIdentity,
    kind: str,
    comment: str | None,
    documents: Iterable[uuid.UUID],
    comment_id: uuid.UUID | None = None,
    override_id: uuid.UUID | None = None,
) -> CaseAction:
    """Appends the action's row to the log (rows are never changed afterwards)."""
    values: dict[str, Any] = {
        "id": new_id(),
        "workspace_id": actor.workspace_id,
        "case_id": case.id,
        "type": kind,
        "user_id": actor.user_id,
        "comment": comment,
        "comment_id": comment_id,
        "document_ids": [str(d) for d in documents],
        "override_id": override_id,
        "created_at": utcnow(),
    }
    values["number"] = insert_with_handle(session, CaseAction.__table__, values)
    return CaseAction(**values)


def _changes(action: CaseAction, **extra: list[Any]) -> dict[str, list[Any]]:
    """The activity entry of an action: its id and what it carried, as [old, new] pairs."""
    changes: dict[str, list[Any]] = {"action_id": [None, action.id]}
    if action.comment is not None:
        changes["comment"] = [None, action.comment]
    if action.document_ids:
        changes["documents"] = [None, action.document_ids]
    return {**changes, **extra}


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's action log and override requests, as the case is deleted for good (casework.deletion)."""
    session.execute(delete(CaseAction.__table__).where(CaseAction.case_id == case_id))
    session.execute(delete(OverrideRequest.__table__).where(OverrideRequest.case_id == case_id))
