"""Kibana's user actions, read from the case's activity log: what Kibana would have recorded for each entry.

An entry changing several fields of the case is several user actions (one per field; tags and assignees an `add`
and a `delete` each). Alert attachments are followed through the log, so that replacing or detaching some of their
alerts shows the attachment as it then was. Entries Kibana has no user action for (tasks, files, links, ...) are
left out."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from sqlalchemy.orm import Session

from casework.activity.records import ActivityRecord
from casework.auth.service import Actor, user_records
from casework.cases import service as cases
from casework.cases.records import CaseRecord
from casework.dialects.dialect import DialectActor
from casework.dialects.kibana.attachment_schemas import DeprecatedUserActionRead, UserActionsFound
from casework.dialects.kibana.attachments import check_page
from casework.dialects.kibana.routing import DEPRECATED_WARNING, kibana_router
from casework.dialects.kibana.wire import (
    DEFAULT_SETTINGS,
    NO_CONNECTOR,
    STATUS_OF_GROUP,
    VENDOR_KEY,
    custom_fields_body,
    encode_version,
    timestamp,
    user_body,
)
from casework.http import DB, JSONResponse

router = kibana_router()

# How many activity entries one read of the log takes.
_LOG_PAGE = 1000
# The entries that change the case's own fields.
_CASE_CHANGES = ("updated", "status_changed", "assigned", "closed")
# Kibana's user action types, and the groups the find route filters by besides them.
FindType = Literal[
    "assignees", "comment", "connector", "description", "pushed", "tags", "title", "status", "settings", "severity",
    "create_case", "delete_case", "category", "customFields", "action", "alert", "user", "attachment",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class UserAction:
    entry: ActivityRecord
    type: str
    action: str
    payload: dict[str, Any]
    owner: str
    comment_id: str | None = None


def _status(group: str | None) -> str | None:
    return STATUS_OF_GROUP.get(group, group) if group else group


def _kibana(vendor_data: dict[str, Any] | None) -> dict[str, Any]:
    return (vendor_data or {}).get(VENDOR_KEY) or {}


def _created(entry: ActivityRecord, owner: str) -> UserAction:
    new = {field: pair[1] for field, pair in entry.changes.items()}
    kibana = _kibana(new.get("vendor_data"))
    payload = {
        "title": new.get("title"),
        "description": new.get("description", ""),
        "tags": new.get("tags", []),
        "connector": kibana.get("connector", NO_CONNECTOR),
        "settings": kibana.get("settings", DEFAULT_SETTINGS),
        "owner": new.get("owner", owner),
        "severity": new.get("severity", "low"),
        "status": _status(new.get("status", "open")),
        "assignees": [{"uid": uid} for uid in new.get("assignees", [])],
        "category": new.get("category"),
        "customFields": custom_fields_body(new.get("fields") or {}, None),
    }
    return UserAction(entry, "create_case", "create", payload, owner)


def _case_changes(entry: ActivityRecord, owner: str) -> Iterator[UserAction]:
    """One user action per field Kibana knows, in the order Kibana writes them."""
    changes = entry.changes
    for field in ("title", "description", "severity", "category"):
        if field in changes:
            yield UserAction(entry, field, "update", {field: changes[field][1]}, owner)
    if "status" in changes:
        yield UserAction(entry, "status", "update", {"status": _status(changes["status"][1])}, owner)
    for field, shown in (("tags", str), ("assignees", lambda uid: {"uid": str(uid)})):
        if field in changes:
            old, new = changes[field][0] or [], changes[field][1] or []
            added = [shown(v) for v in new if v not in old]
            removed = [shown(v) for v in old if v not in new]
            if added:
                yield UserAction(entry, field, "add", {field: added}, owner)
            if removed:
                yield UserAction(entry, field, "delete", {field: removed}, owner)
    if "fields" in changes:
        old, new = changes["fields"][0] or {}, changes["fields"][1] or {}
        changed = {key: value for key, value in new.items() if old.get(key) != value}
        if changed:
            yield UserAction(
                entry, "customFields", "update", {"customFields": custom_fields_body(changed, None)}, owner
            )
    if "vendor_data" in changes:
        old, new = _kibana(changes["vendor_data"][0]), _kibana(changes["vendor_data"][1])
        for key in ("connector", "settings"):
            if key in new and old.get(key) != new[key]:
                yield UserAction(entry, key, "update", {key: new[key]}, owner)
        if new.get("external_service") and old.get("external_service") != new["external_service"]:
            payload = {"externalService": new["external_service"]}
            yield UserAction(entry, "pushed", "push_to_service", payload, owner)


def _user_comment(entry: ActivityRecord, action: str, body: str, owner: str, comment_id: Any) -> UserAction:
    payload = {"comment": {"comment": body, "type": "user", "owner": owner}}
    return UserAction(entry, "comment", action, payload, owner, str(comment_id))


class _Alerts:
    """The alert attachments as the log has built them so far: attachment id -> Kibana's alert comment."""

    def __init__(self, case_owner: str) -> None:
        self.case_owner = case_owner
        self.known: dict[str, dict[str, Any]] = {}

    def attached(self, entry: ActivityRecord) -> UserAction:
        changes = entry.changes
        aid = str(changes["attachment_id"][1])
        ids = list(changes["alert_ids"][1])
        rule = (changes.get("rule") or [None, None])[1] or {"id": None, "name": None}
        owner = (changes.get("owner") or [None, self.case_owner])[1]
        indexes = (changes.get("indexes") or [None, []])[1]
        self.known[aid] = {"type": "alert", "alertId": ids, "index": list(indexes), "rule": rule, "owner": owner}
        return self._action(entry, "create", aid)

    def replaced(self, entry: ActivityRecord) -> UserAction:
        aid = str(entry.changes["attachment_id"][1])
        comment = dict(self.known.get(aid) or {"type": "alert", "owner": self.case_owner})
        for field, key in (("alert_ids", "alertId"), ("indexes", "index"), ("owner", "owner"), ("rule", "rule")):
            if field in entry.changes:
                comment[key] = entry.changes[field][1]
        comment["rule"] = comment.get("rule") or {"id": None, "name": None}
        self.known[aid] = comment
        return self._action(entry, "update", aid)

    def detached(self, entry: ActivityRecord) -> UserAction:
        """A whole attachment detached, or (natively) one alert of it: the attachment deleted, or what is left."""
        aid = str(entry.changes["attachment_id"][0])
        gone = entry.changes["alert_ids"][0]
        comment = self.known.pop(aid, None) or self._as_logged(entry)
        indexes = list(comment["index"]) + [None] * (len(comment["alertId"]) - len(comment["index"]))
        kept = [(i, x) for i, x in zip(comment["alertId"], indexes, strict=False) if i not in gone]
        if entry.action == "alert_detached" and kept:
            self.known[aid] = {**comment, "alertId": [i for i, _ in kept], "index": [x for _, x in kept]}
            return self._action(entry, "update", aid)
        return UserAction(entry, "comment", "delete", {"comment": comment}, comment["owner"], aid)

    def _as_logged(self, entry: ActivityRecord) -> dict[str, Any]:
        """An attachment the log never showed attached (it cannot happen but for a log cut short): as detached."""
        old = {field: pair[0] for field, pair in entry.changes.items()}
        rule = old.get("rule") or {"id": None, "name": None}
        return {"type": "alert", "alertId": old["alert_ids"], "index": old.get("indexes") or [], "rule": rule,
                "owner": old.get("owner") or self.case_owner}  # fmt: skip

    def _action(self, entry: ActivityRecord, action: str, aid: str) -> UserAction:
        comment = self.known[aid]
        return UserAction(entry, "comment", action, {"comment": dict(comment)}, comment["owner"], aid)


def user_actions(entries: list[ActivityRecord], case: CaseRecord) -> list[UserAction]:
    """The log's entries as Kibana's user actions, oldest first."""
    owner = case.owner
    found: list[UserAction] = []
    alerts = _Alerts(owner)
    for entry in entries:
        changes = entry.changes
        if entry.action == "created":
            found.append(_created(entry, owner))
        elif entry.action in _CASE_CHANGES:
            found.extend(_case_changes(entry, owner))
        elif entry.action == "commented":
            found.append(_user_comment(entry, "create", changes["body"][1], owner, changes["comment_id"][1]))
        elif entry.action == "comment_edited" and "body" in changes:
            found.append(_user_comment(entry, "update", changes["body"][1], owner, changes["comment_id"][1]))
        elif entry.action == "comment_deleted":
            found.append(_user_comment(entry, "delete", changes["body"][0], owner, changes["comment_id"][0]))
        elif entry.action == "alerts_attached":
            found.append(alerts.attached(entry))
        elif entry.action == "alerts_replaced":
            found.append(alerts.replaced(entry))
        elif entry.action in ("alerts_detached", "alert_detached"):
            found.append(alerts.detached(entry))
    return found


def _matches(action: UserAction, types: set[str]) -> bool:
    if not types or action.type in types:
        return True
    if action.type == "comment":
        return action.payload["comment"]["type"] in types
    return "action" in types


def _case_actions(session: Session, actor: Actor, case_id: str) -> tuple[CaseRecord, list[UserAction]]:
    case = cases.get_case(session, actor, case_id)
    entries: list[ActivityRecord] = []
    cursor = None
    while True:
        page, cursor = cases.list_activity(session, actor, case_id, cursor, _LOG_PAGE)
        entries.extend(page)
        if cursor is None:
            return case, user_actions(entries, case)


def _bodies(
    session: Session, actor: Actor, case: CaseRecord, actions: list[UserAction], deprecated: bool
) -> list[dict[str, Any]]:
    authors = {author for a in actions if (author := a.entry.on_behalf_of or a.entry.actor_id) is not None}
    people = user_records(session, actor, authors)
    bodies = []
    position: dict[uuid.UUID, int] = {}
    for action in actions:
        entry = action.entry
        n = position[entry.id] = position.get(entry.id, -1) + 1
        # An entry's first user action takes its id; the others an id derived from it.
        ident = str(entry.id) if n == 0 else str(uuid.uuid5(entry.id, str(n)))
        author = entry.on_behalf_of or entry.actor_id
        body: dict[str, Any] = {
            "type": action.type,
            "action": action.action,
            "payload": action.payload,
            "created_at": timestamp(entry.created_at),
            "created_by": user_body(people.get(author), author) if author else user_body(None),
            "owner": action.owner,
            "comment_id": action.comment_id,
        }
        if deprecated:
            body |= {"action_id": ident, "case_id": str(case.id)}
        else:
            body |= {"id": ident, "version": encode_version(entry.number)}
        bodies.append(body)
    return bodies


def _find(
    session: Session, actor: Actor, case_id: str, types: list[str], order: str, page: int, per_page: int
) -> dict[str, Any]:
    case, actions = _case_actions(session, actor, case_id)
    wanted = [action for action in actions if _matches(action, set(types))]
    if order == "desc":
        wanted.reverse()
    shown = wanted[(page - 1) * per_page : page * per_page]
    return {"userActions": _bodies(session, actor, case, shown, False), "page": page, "perPage": per_page,
            "total": len(wanted)}  # fmt: skip


@router.get(
    "/api/cases/{caseId}/user_actions/_find", summary="Find user actions for a case", response_model=UserActionsFound
)
async def find_user_actions(
    caseId: str,
    actor: DialectActor,
    db: DB,
    types: Annotated[list[FindType], Query(description="User action types, or the groups action, alert, user.")] = [],  # noqa: B006
    sort_order: Annotated[Literal["asc", "desc"], Query(alias="sortOrder", description="By creation time.")] = "asc",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=0, description="At most 100.")] = 20,
) -> Response:
    """The case's activity as Kibana's user actions, a page at a time."""
    check_page(page, per_page)
    return JSONResponse(await db.read(_find, actor, caseId, types, sort_order, page, per_page))


def _all(session: Session, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    case, actions = _case_actions(session, actor, case_id)
    return _bodies(session, actor, case, actions, True)


@router.get(
    "/api/cases/{caseId}/user_actions",
    summary="Get all user actions for a case",
    deprecated=True,
    response_model=list[DeprecatedUserActionRead],
)
async def get_all_user_actions(caseId: str, actor: DialectActor, db: DB) -> Response:
    """Every user action of the case, oldest first (deprecated in Kibana 8.1: use the find route)."""
    return JSONResponse(await db.read(_all, actor, caseId), headers={"warning": DEPRECATED_WARNING})
