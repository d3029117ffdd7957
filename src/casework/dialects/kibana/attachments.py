"""Kibana's attachment routes: a case's user comments (core comments) and alert attachments (the alerts one request
attached), added, read, found, changed and deleted; the alerts of a case, and the cases of an alert.

A user comment's owner is its case's; an alert attachment keeps the owner it was given. Each attachment carries its
own version (Kibana's opaque string of the comment's or the alert attachment's version)."""

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from casework.alerts import service as alerts
from casework.alerts.records import AlertAttachmentRecord
from casework.alerts.schemas import MAX_ALERTS_PER_CASE, AlertAttach
from casework.auth.records import UserRecord
from casework.auth.service import Actor, user_records
from casework.cases import service as cases
from casework.cases.records import CaseRecord
from casework.comments import service as comments
from casework.comments.records import CommentRecord
from casework.comments.schemas import CommentCreate, CommentUpdate
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana.attachment_schemas import (
    AttachmentRead,
    CaseAlertRead,
    CaseOfAlertRead,
    CaseWithComments,
    CommentsFound,
)
from casework.dialects.kibana.cases import case_answer
from casework.dialects.kibana.errors import KibanaError, bad_request
from casework.dialects.kibana.inputs import Comment, KibanaInput
from casework.dialects.kibana.routing import DEPRECATED_WARNING, kibana_router
from casework.dialects.kibana.wire import (
    STATUS_OF_GROUP,
    decode_version,
    encode_version,
    people_of,
    timestamp,
    user_body,
)
from casework.errors import Conflict, LimitExceeded, NotFound, VersionConflict, from_validation_error
from casework.http import DB, JSONResponse

router = kibana_router()

# Kibana reads at most this many attachments of a case at once (MAX_DOCS_PER_PAGE).
MAX_ATTACHMENTS = 10_000
MAX_PER_PAGE = 100
CAP_MESSAGE = f"Case has reached the maximum allowed number ({MAX_ALERTS_PER_CASE}) of attached alerts."
STALE_MESSAGE = "This case has been updated. Please refresh before saving additional updates."
Attachment = CommentRecord | AlertAttachmentRecord


# Requests


class UserCommentRequest(KibanaInput):
    type: Literal["user"]
    comment: Comment
    owner: str = Field(description="The case's owner.")


class AlertRule(KibanaInput):
    id: str | None = Field(description="The rule identifier.")
    name: str | None = Field(description="The rule name.")


class AlertRequest(KibanaInput):
    type: Literal["alert"]
    alertId: str | list[str] = Field(description="The alert identifier, or several alerts of the same rule.")
    index: str | list[str] = Field(description="The alert's index, or each alert's index in the same order.")
    rule: AlertRule
    owner: str = Field(description="The case's owner.")


AttachmentRequest = Annotated[UserCommentRequest | AlertRequest, Field(discriminator="type")]


class UserCommentPatch(UserCommentRequest):
    id: str = Field(description="The comment's id.")
    version: str = Field(description="The comment's version.")


class AlertPatch(AlertRequest):
    id: str = Field(description="The alert attachment's id.")
    version: str = Field(description="The alert attachment's version.")


AttachmentPatch = Annotated[UserCommentPatch | AlertPatch, Field(discriminator="type")]


def _alert_pairs(body: AlertRequest) -> tuple[list[str], list[str]]:
    """The alert ids and their indexes as lists, refused as Kibana refuses lists of different lengths."""
    ids = [body.alertId] if isinstance(body.alertId, str) else list(body.alertId)
    indexes = [body.index] if isinstance(body.index, str) else list(body.index)
    if len(ids) != len(indexes):
        shown = "ids: " + _js(ids) + " indices: " + _js(indexes)
        raise bad_request(f"Received an alert comment with ids and indices arrays of different lengths {shown}")
    return ids, indexes


def _js(values: list[str]) -> str:
    # JSON.stringify's spacing: none.
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)


def _alert_attach(body: AlertRequest, ids: list[str], indexes: list[str]) -> AlertAttach:
    """The core's request; what the core refuses (an empty alert id, ...) is a 400 naming the field."""
    rule = {"id": body.rule.id, "name": body.rule.name}
    try:
        return AlertAttach.model_validate({"alert_ids": ids, "indexes": indexes, "rule": rule, "owner": body.owner})
    except ValidationError as refused:
        raise from_validation_error(refused) from None


# Answers


def comment_body(comment: CommentRecord, owner: str, people: dict[uuid.UUID, UserRecord]) -> dict[str, Any]:
    edited = comment.version > 1
    return {
        "id": str(comment.id),
        "version": encode_version(comment.version),
        "type": "user",
        "owner": owner,
        "comment": comment.body,
        **_stamps(
            comment.created_at,
            comment.author_id,
            comment.updated_at if edited else None,
            comment.updated_by if edited else None,
            people,
        ),
    }


def alert_body(attachment: AlertAttachmentRecord, people: dict[uuid.UUID, UserRecord]) -> dict[str, Any]:
    return {
        "id": str(attachment.id),
        "version": encode_version(attachment.version),
        "type": "alert",
        "owner": attachment.owner,
        "alertId": list(attachment.alert_ids),
        "index": list(attachment.indexes),
        "rule": {"id": attachment.rule_id, "name": attachment.rule_name},
        **_stamps(attachment.created_at, attachment.created_by, attachment.updated_at, attachment.updated_by, people),
    }


def _stamps(
    created_at: datetime,
    created_by: uuid.UUID,
    updated_at: datetime | None,
    updated_by: uuid.UUID | None,
    people: dict[uuid.UUID, UserRecord],
) -> dict[str, Any]:
    return {
        "created_at": timestamp(created_at),
        "created_by": user_body(people.get(created_by), created_by),
        "pushed_at": None,
        "pushed_by": None,
        "updated_at": timestamp(updated_at),
        "updated_by": user_body(people.get(updated_by), updated_by) if updated_by else None,
    }


def _author(attachment: Attachment) -> uuid.UUID:
    return attachment.author_id if isinstance(attachment, CommentRecord) else attachment.created_by


def attachment_bodies(
    session: Session, actor: Actor, case: CaseRecord, attachments: Sequence[Attachment]
) -> list[dict[str, Any]]:
    """The attachments as Kibana shows them, the users they name read in one statement."""
    return _bodies(case, attachments, user_records(session, actor, _people(attachments)))


def _people(attachments: Sequence[Attachment]) -> set[uuid.UUID]:
    return {_author(a) for a in attachments} | {a.updated_by for a in attachments if a.updated_by}


def _bodies(
    case: CaseRecord, attachments: Sequence[Attachment], people: dict[uuid.UUID, UserRecord]
) -> list[dict[str, Any]]:
    return [
        comment_body(a, case.owner, people) if isinstance(a, CommentRecord) else alert_body(a, people)
        for a in attachments
    ]


def all_attachments(
    session: Session, actor: Actor, case: CaseRecord, alert_attachments: Sequence[AlertAttachmentRecord] | None = None
) -> list[Attachment]:
    """Every attachment of the case, comments and alerts together, oldest first (a kind the case's counts say it
    has none of is not read, nor are the alert attachments given)."""
    every: list[Attachment] = []
    if case.counts.comments:
        every.extend(comments.comments_at(session, actor, str(case.id), 0, MAX_ATTACHMENTS)[0])
    if alert_attachments is not None:
        every.extend(alert_attachments)
    elif case.counts.alerts:
        every.extend(alerts.attachments_of_read_case(session, actor, case))
    return sorted(every, key=lambda a: (a.created_at, a.id))


def _case_with_comments(session: Session, actor: Actor, case_id: str) -> dict[str, Any]:
    return _answer(session, actor, cases.get_case(session, actor, case_id))


def _answer(
    session: Session,
    actor: Actor,
    record: CaseRecord,
    alert_attachments: Sequence[AlertAttachmentRecord] | None = None,
) -> dict[str, Any]:
    """The case with every attachment (its alert attachments read already when given), counted as Kibana's comment
    routes count them: all attachments; the users of both read in one statement."""
    attachments = all_attachments(session, actor, record, alert_attachments)
    people = user_records(session, actor, _people(attachments) | people_of([record]))
    bodies = _bodies(record, attachments, people)
    return case_answer(
        session, actor, record, bodies, people, total_comment=len(bodies), total_alerts=record.counts.alerts
    )


def _attachment(session: Session, actor: Actor, case_id: str, attachment_id: str) -> Attachment:
    """The case's comment or alert attachment by id; a NotFound of a comment (Kibana's saved object) otherwise."""
    try:
        return comments.get_comment(session, actor, case_id, attachment_id)
    except NotFound as missing:
        if missing.resource == "case":
            raise
    try:
        return alerts.get_attachment(session, actor, case_id, attachment_id)
    except NotFound:
        raise NotFound("comment", attachment_id) from None


# Adding


def _add(session: Session, actor: Actor, case_id: str, body: UserCommentRequest | AlertRequest) -> dict[str, Any]:
    """Kibana's order: the body, the case, a closed case (alerts), the owner, the cap; then the alerts already on the
    case are left out, and when none is left nothing changes.

    The case is read once, after the write, as the answer shows it: a refusal found then rolls the write back with
    the unit of work, and a refusal of the core met on the way (the cap, a closed case) yields to Kibana's checks."""
    ids, indexes = _alert_pairs(body) if isinstance(body, AlertRequest) else ([], [])
    alert_attachments = None
    try:
        if isinstance(body, UserCommentRequest):
            comments.add_comment(session, actor, case_id, CommentCreate(body=body.comment))
        elif len(ids) > MAX_ALERTS_PER_CASE:
            raise LimitExceeded("alertId", MAX_ALERTS_PER_CASE)
        elif ids:
            attach = _alert_attach(body, ids, indexes)
            alert_attachments = alerts.attach_alerts(session, actor, case_id, attach, with_attachments=True).attachments
    except (LimitExceeded, Conflict) as refused:
        _check(cases.get_case(session, actor, case_id), body)
        raise bad_request(CAP_MESSAGE) if isinstance(refused, LimitExceeded) else refused from None
    case = cases.get_case(session, actor, case_id)
    _check(case, body)
    return _answer(session, actor, case, alert_attachments)


def _check(case: CaseRecord, body: UserCommentRequest | AlertRequest) -> None:
    """What Kibana refuses before it writes anything, in its order."""
    if isinstance(body, AlertRequest) and case.status == "closed":
        raise bad_request("Alert cannot be attached to a closed case")
    if body.owner != case.owner:
        raise bad_request("The owner field of the comment must match the case")


@router.post("/api/cases/{caseId}/comments", summary="Add a case comment or alert", response_model=CaseWithComments)
async def add_comment(caseId: str, body: AttachmentRequest, actor: DialectActor, db: DB) -> Response:
    """A user comment or alerts; alerts already on the case are left out (a request of only those changes nothing).
    The answer is the case with every attachment."""
    return JSONResponse(await db.write(_add, actor, caseId, body))


# Reading


def check_page(page: int, per_page: int) -> None:
    """Kibana's limits on paging, with its messages."""
    if per_page > MAX_PER_PAGE:
        raise bad_request(
            f"The provided perPage value is too high. The maximum allowed perPage value is {MAX_PER_PAGE}."
        )
    if max(page, page * per_page) > MAX_ATTACHMENTS:
        raise bad_request(
            f"The number of documents is too high. Paginating through more than {MAX_ATTACHMENTS} documents is not "
            "possible."
        )


Page = Annotated[int, Query(ge=1, description="The page to return.")]
PerPage = Annotated[int, Query(alias="perPage", ge=0, description="Items per page, at most 100.")]
SortOrder = Annotated[Literal["asc", "desc"], Query(alias="sortOrder", description="By creation time.")]


def _find(session: Session, actor: Actor, case_id: str, page: int, per_page: int, order: str) -> dict[str, Any]:
    case = cases.get_case(session, actor, case_id)
    found, total = comments.comments_at(session, actor, case_id, (page - 1) * per_page, per_page, order == "desc")
    return {
        "comments": attachment_bodies(session, actor, case, found),
        "page": page,
        "per_page": per_page,
        "total": total,
    }


@router.get("/api/cases/{caseId}/comments/_find", summary="Find case comments", response_model=CommentsFound)
async def find_comments(
    caseId: str, actor: DialectActor, db: DB, page: Page = 1, per_page: PerPage = 20, sort_order: SortOrder = "asc"
) -> Response:
    """The case's user comments (not its alerts), a page at a time."""
    check_page(page, per_page)
    return JSONResponse(await db.read(_find, actor, caseId, page, per_page, sort_order))


def _get(session: Session, actor: Actor, case_id: str, attachment_id: str) -> dict[str, Any]:
    case = cases.get_case(session, actor, case_id)
    return attachment_bodies(session, actor, case, [_attachment(session, actor, case_id, attachment_id)])[0]


@router.get(
    "/api/cases/{caseId}/comments/{commentId}", summary="Get a case comment or alert", response_model=AttachmentRead
)
async def get_comment(caseId: str, commentId: str, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_get, actor, caseId, commentId))


def _get_all(session: Session, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    case = cases.get_case(session, actor, case_id)
    return attachment_bodies(session, actor, case, all_attachments(session, actor, case))


@router.get(
    "/api/cases/{caseId}/comments",
    summary="Get all case comments",
    deprecated=True,
    response_model=list[AttachmentRead],
)
async def get_all_comments(caseId: str, actor: DialectActor, db: DB) -> Response:
    """Every attachment of the case (deprecated in Kibana 8.1: use the find route)."""
    return JSONResponse(await db.read(_get_all, actor, caseId), headers={"warning": DEPRECATED_WARNING})


# Changing


def _patch(session: Session, actor: Actor, case_id: str, body: UserCommentPatch | AlertPatch) -> dict[str, Any]:
    """Kibana's order: the body, the comment, its type and owner, then its version."""
    replacement = _alert_replacement(body) if isinstance(body, AlertPatch) else None
    case = cases.get_case(session, actor, case_id)
    try:
        current = _attachment(session, actor, case_id, body.id)
    except NotFound:
        raise KibanaError(404, f"This comment {body.id} does not exist anymore.") from None
    if body.type != ("user" if isinstance(current, CommentRecord) else "alert"):
        raise bad_request("You cannot change the type of the comment.")
    if body.owner != (case.owner if isinstance(current, CommentRecord) else current.owner):
        raise bad_request("You cannot change the owner of the comment.")
    version = decode_version(body.version)
    # A version this server never issued is as stale as an old one (and beyond what the core's versions reach).
    if version is None or version != current.version:
        raise KibanaError(409, STALE_MESSAGE)
    try:
        if isinstance(body, UserCommentPatch):
            comments.edit_comment(session, actor, case_id, body.id, CommentUpdate(version=version, body=body.comment))
        elif replacement is not None:
            alerts.replace_attachment(session, actor, case_id, body.id, replacement, version)
    except VersionConflict:  # changed by another writer since it was read above
        raise KibanaError(409, STALE_MESSAGE) from None
    except LimitExceeded:
        raise bad_request(CAP_MESSAGE) from None
    return _case_with_comments(session, actor, case_id)


def _alert_replacement(body: AlertPatch) -> AlertAttach:
    ids, indexes = _alert_pairs(body)
    if not ids:
        raise bad_request('Invalid value "[]" supplied to "alertId"')
    if len(ids) > MAX_ALERTS_PER_CASE:
        raise bad_request(CAP_MESSAGE)
    return _alert_attach(body, ids, indexes)


@router.patch("/api/cases/{caseId}/comments", summary="Update a case comment or alert", response_model=CaseWithComments)
async def update_comment(caseId: str, body: AttachmentPatch, actor: DialectActor, db: DB) -> Response:
    """The whole attachment as it is to be, with its id and its own version (a stale one: 409)."""
    return JSONResponse(await db.write(_patch, actor, caseId, body))


def _delete(session: Session, actor: Actor, case_id: str, attachment_id: str) -> None:
    attachment = _attachment(session, actor, case_id, attachment_id)
    if isinstance(attachment, CommentRecord):
        comments.delete_comment(session, actor, case_id, str(attachment.id))
    else:
        alerts.detach_attachment(session, actor, case_id, attachment.id)


@router.delete("/api/cases/{caseId}/comments/{commentId}", status_code=204, summary="Delete a case comment or alert")
async def delete_comment(caseId: str, commentId: str, actor: DialectActor, db: DB) -> Response:
    await db.write(_delete, actor, caseId, commentId)
    return Response(status_code=204)


def _delete_all(session: Session, actor: Actor, case_id: str) -> None:
    attachments = all_attachments(session, actor, cases.get_case(session, actor, case_id))
    if not attachments:
        raise KibanaError(404, f"No comments found for {case_id}.")
    for attachment in attachments:
        if isinstance(attachment, CommentRecord):
            comments.delete_comment(session, actor, case_id, str(attachment.id))
        else:
            alerts.detach_attachment(session, actor, case_id, attachment.id)


@router.delete("/api/cases/{caseId}/comments", status_code=204, summary="Delete all case comments and alerts")
async def delete_all_comments(caseId: str, actor: DialectActor, db: DB) -> Response:
    """Every attachment of the case, all or none."""
    await db.write(_delete_all, actor, caseId)
    return Response(status_code=204)


# Alerts


def _cases_of_alert(session: Session, actor: Actor, alert_id: str, owners: list[str]) -> list[dict[str, Any]]:
    found: list[CaseRecord] = []
    cursor = None
    while True:
        page, cursor = alerts.cases_with_alert(session, actor, alert_id, False, cursor, 500)
        found.extend(record for record in page if not owners or record.owner in owners)
        if cursor is None:
            break
    return [
        {
            "id": str(record.id),
            "title": record.title,
            "description": record.description,
            "status": STATUS_OF_GROUP[record.status],
            "createdAt": timestamp(record.created_at),
            "totals": {"alerts": record.counts.alerts, "userComments": record.counts.comments},
        }
        for record in found
    ]


@router.get("/api/cases/alerts/{alertId}", summary="Get cases for an alert", response_model=list[CaseOfAlertRead])
async def cases_of_alert(
    alertId: str,
    actor: DialectActor,
    db: DB,
    owner: Annotated[list[str], Query(description="Only the cases of these owners.")] = [],  # noqa: B006
) -> Response:
    """The cases holding the alert, oldest first."""
    return JSONResponse(await db.read(_cases_of_alert, actor, alertId, owner))


def _alerts_of_case(session: Session, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    return [
        {"id": alert_id, "index": index, "attached_at": timestamp(attachment.created_at)}
        for attachment in alerts.list_attachments(session, actor, case_id)
        for alert_id, index in zip(attachment.alert_ids, attachment.indexes, strict=True)
    ]


@router.get("/api/cases/{caseId}/alerts", summary="Get all alerts for a case", response_model=list[CaseAlertRead])
async def alerts_of_case(caseId: str, actor: DialectActor, db: DB) -> Response:
    return JSONResponse(await db.read(_alerts_of_case, actor, caseId))
