"""Links between cases: each link is two rows (one from each side, the relation inverted on the other side).

Linking and unlinking change both cases: both are locked (always in id order, so that two writers working on
the same pair from opposite sides queue up instead of deadlocking on PostgreSQL), both versions move on,
both link_count counters move and both get an activity entry.
"""

import uuid
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import service as cases
from casework.cases.models import Case
from casework.cases.records import CaseIdentity, LockedCase
from casework.db.base import new_id, utcnow
from casework.errors import Conflict, InvalidInput, NotFound
from casework.i18n import _
from casework.links.models import CaseLink
from casework.links.records import LinkRecord
from casework.links.schemas import INVERSE
from casework.pagination import id_page


def _lock_pair(
    session: Session, actor: Actor, ref: str, other_ref: str, expected_version: int | None
) -> tuple[LockedCase, LockedCase] | None:
    """Both cases, locked in id order, None when both refs name the same case; expected_version applies to the first
    (the one in the path), and the other may be closed in a read-only project."""
    actor.require_case_write()
    case_id = cases.find_case(session, actor.workspace_id, ref).id
    other_id = cases.find_case(session, actor.workspace_id, other_ref).id
    if case_id == other_id:
        return None
    locked: dict[uuid.UUID, LockedCase] = {}
    for item in sorted((case_id, other_id)):
        in_path = item == case_id
        version = expected_version if in_path else None
        locked[item] = cases.lock_case_for_change(session, actor, item, version, link_target=not in_path)
    return locked[case_id], locked[other_id]


def _side(case: CaseIdentity, relation: str) -> dict[str, Any]:
    return {"case_id": case.id, "key": case.key, "relation": relation}


def link_cases(
    session: Session,
    actor: Actor,
    ref: str,
    other_ref: str,
    relation: str,
    expected_version: int | None = None,
) -> tuple[LinkRecord, int]:
    """Link ref to other_ref ("ref <relation> other"); returns the link as ref sees it and ref's new version."""
    pair = _lock_pair(session, actor, ref, other_ref, expected_version)
    if pair is None:
        raise InvalidInput.field("case", _("a case cannot be linked to itself"))
    case, other = pair
    existing = session.scalar(
        select(CaseLink.relation).where(CaseLink.case_id == case.id, CaseLink.linked_case_id == other.id)
    )
    if existing is not None:
        raise Conflict(
            _(
                "case {key} is already linked to {other} ({relation}); unlink it first",
                key=case.key,
                other=other.key,
                relation=existing,
            )
        )
    now = utcnow()
    inverse = INVERSE[relation]
    common = {"workspace_id": actor.workspace_id, "created_at": now, "created_by": actor.user_id}
    link_id = new_id()
    rows = [
        {"id": link_id, "case_id": case.id, "linked_case_id": other.id, "relation": relation, **common},
        {"id": new_id(), "case_id": other.id, "linked_case_id": case.id, "relation": inverse, **common},
    ]
    session.execute(insert(CaseLink.__table__).values(rows))
    link = LinkRecord(
        link_id, other.id, other.key, other.title, other.status, other.archived_at, relation, now, actor.user_id
    )
    version = cases.record_change(
        session, actor, case, "linked", {"link": [None, _side(other, relation)]}, {"link_count": 1}
    )
    cases.record_change(session, actor, other, "linked", {"link": [None, _side(case, inverse)]}, {"link_count": 1})
    return link, version


def unlink_cases(
    session: Session,
    actor: Actor,
    ref: str,
    other_ref: str,
    expected_version: int | None = None,
) -> int:
    """Remove the link between the two cases, both sides; returns ref's new version."""
    pair = _lock_pair(session, actor, ref, other_ref, expected_version)
    if pair is None:
        raise NotFound("link", other_ref)
    case, other = pair
    relation = session.scalar(
        select(CaseLink.relation).where(CaseLink.case_id == case.id, CaseLink.linked_case_id == other.id)
    )
    if relation is None:
        raise NotFound("link", other_ref)
    session.execute(
        delete(CaseLink.__table__).where(
            or_(
                and_(CaseLink.case_id == case.id, CaseLink.linked_case_id == other.id),
                and_(CaseLink.case_id == other.id, CaseLink.linked_case_id == case.id),
            )
        )
    )
    version = cases.record_change(
        session, actor, case, "unlinked", {"link": [_side(other, relation), None]}, {"link_count": -1}
    )
    inverse = INVERSE[relation]
    cases.record_change(session, actor, other, "unlinked", {"link": [_side(case, inverse), None]}, {"link_count": -1})
    return version


def list_links(
    session: Session, actor: Actor, ref: str, cursor: str | None = None, limit: int = 50
) -> tuple[list[LinkRecord], str | None]:
    """The case's links, oldest first, each with the linked case's id, key, title and status."""
    case = cases.visible_case(session, actor, ref)
    query = (
        select(
            CaseLink.id,
            CaseLink.linked_case_id,
            CaseLink.relation,
            CaseLink.created_at,
            CaseLink.created_by,
            Case.key,
            Case.title,
            Case.status,
            Case.archived_at,
        )
        .join(Case, Case.id == CaseLink.linked_case_id)
        .where(CaseLink.case_id == case.id)
    )
    rows, next_cursor = id_page(session, query, CaseLink.id, cursor, limit, scalars=False)
    return [LinkRecord(**row._mapping) for row in rows], next_cursor


def delete_for_case(session: Session, actor: Actor, case: CaseIdentity) -> None:
    """The case's links, both sides, as the case is deleted for good (casework.deletion): each linked case loses
    its side (its link_count and version move, its log says it was unlinked from the deleted case)."""
    sides = session.execute(select(CaseLink.linked_case_id, CaseLink.relation).where(CaseLink.case_id == case.id))
    for other_id, relation in sorted(sides, key=lambda side: side[0]):
        other = cases.locked_case(session, actor.workspace_id, other_id)
        session.execute(
            delete(CaseLink.__table__).where(CaseLink.case_id == other_id, CaseLink.linked_case_id == case.id)
        )
        lost = {"link": [_side(case, INVERSE[relation]), None]}
        cases.record_change(session, actor, other, "unlinked", lost, {"link_count": -1})
    session.execute(delete(CaseLink.__table__).where(CaseLink.case_id == case.id))
