"""Insights: typed references from a case to monitoring resources (the Datadog model), unique per (type,
resource_id)."""

import uuid
from collections.abc import Collection
from dataclasses import asdict, dataclass

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.service import lock_case_for_change, record_change, visible_case
from casework.db.base import new_id, utcnow
from casework.errors import InvalidInput, LimitExceeded
from casework.i18n import _
from casework.insights.models import Insight
from casework.insights.records import InsightRecord
from casework.insights.schemas import MAX_INSIGHTS_PER_REQUEST, InsightCreate, InsightsAdd, InsightsRemove
from casework.pagination import id_page

Key = tuple[str, str]  # (type, resource_id)


@dataclass(frozen=True, slots=True)
class AddOutcome:
    added: list[InsightRecord]
    duplicates: list[Key]
    insight_count: int
    case_version: int


@dataclass(frozen=True, slots=True)
class RemoveOutcome:
    removed: list[Key]
    not_found: list[Key]
    insight_count: int
    case_version: int


def add_insights(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    data: InsightsAdd,
    expected_version: int | None = None,
) -> AddOutcome:
    """Add the insights the case does not have yet; one it has (same type and resource_id) is left as it is.
    Nothing new: no write, no version bump, no activity."""
    _check_size(len(data.insights))
    case = lock_case_for_change(session, actor, ref, expected_version)
    wanted: dict[Key, InsightCreate] = {}  # first occurrence wins
    repeated: set[Key] = set()
    for item in data.insights:
        key = (item.type, item.resource_id)
        if key in wanted:
            repeated.add(key)
        else:
            wanted[key] = item
    existing = _existing(session, case.id, list(wanted))
    new_keys = [key for key in wanted if key not in existing]
    duplicates = [key for key in wanted if key in existing or key in repeated]
    if not new_keys:
        return AddOutcome([], duplicates, case.insight_count, case.version)

    now = utcnow()
    added = [
        InsightRecord(
            id=new_id(),
            case_id=case.id,
            type=key[0],
            ref=wanted[key].ref,
            resource_id=key[1],
            created_at=now,
            created_by=actor.user_id,
        )
        for key in new_keys
    ]
    rows = [asdict(i) | {"workspace_id": actor.workspace_id} for i in added]
    session.execute(insert(Insight.__table__).values(rows))
    logged = [{"type": i.type, "resource_id": i.resource_id, "ref": i.ref} for i in added]
    version = record_change(
        session, actor, case, "insights_added", {"insights": [None, logged]}, {"insight_count": len(added)}
    )
    return AddOutcome(added, duplicates, case.insight_count + len(added), version)


def remove_insights(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    data: InsightsRemove,
    expected_version: int | None = None,
) -> RemoveOutcome:
    """Remove the insights with the given keys; keys the case does not have are ignored (and reported).
    Nothing removed: no write, no version bump, no activity."""
    _check_size(len(data.insights))
    case = lock_case_for_change(session, actor, ref, expected_version)
    keys: list[Key] = list(dict.fromkeys((item.type, item.resource_id) for item in data.insights))
    found = {
        (row.type, row.resource_id): row.id
        for row in session.execute(
            select(Insight.id, Insight.type, Insight.resource_id).where(
                Insight.case_id == case.id, tuple_(Insight.type, Insight.resource_id).in_(keys)
            )
        )
    }
    removed = [key for key in keys if key in found]
    not_found = [key for key in keys if key not in found]
    if not removed:
        return RemoveOutcome([], not_found, case.insight_count, case.version)
    session.execute(delete(Insight.__table__).where(Insight.id.in_([found[key] for key in removed])))
    logged = [{"type": t, "resource_id": r} for t, r in removed]
    version = record_change(
        session, actor, case, "insights_removed", {"insights": [logged, None]}, {"insight_count": -len(removed)}
    )
    return RemoveOutcome(removed, not_found, case.insight_count - len(removed), version)


def _record(insight: Insight) -> InsightRecord:
    return InsightRecord(
        id=insight.id,
        case_id=insight.case_id,
        type=insight.type,
        ref=insight.ref,
        resource_id=insight.resource_id,
        created_at=insight.created_at,
        created_by=insight.created_by,
    )


def list_insights(
    session: Session, actor: Actor, ref: str | uuid.UUID, cursor: str | None = None, limit: int = 50
) -> tuple[list[InsightRecord], str | None]:
    """The case's insights, oldest first."""
    case = visible_case(session, actor, ref)
    query = select(Insight).where(Insight.case_id == case.id)
    rows, next_cursor = id_page(session, query, Insight.id, cursor, limit)
    return [_record(row) for row in rows], next_cursor


def all_insights(session: Session, actor: Actor, ref: str | uuid.UUID) -> list[InsightRecord]:
    """Every insight of the case, oldest first: for APIs that show them with the case."""
    case = visible_case(session, actor, ref)
    # Plain rows, not entities: a case may hold thousands, read on every answer that shows the case.
    columns = (
        Insight.id, Insight.case_id, Insight.type, Insight.ref, Insight.resource_id, Insight.created_at,
        Insight.created_by,
    )  # fmt: skip
    rows = session.execute(select(*columns).where(Insight.case_id == case.id).order_by(Insight.id))
    return [InsightRecord(*row) for row in rows]


def insights_of_cases(
    session: Session, actor: Actor, case_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[InsightRecord]]:
    """Every insight of each of the cases (ones the caller has read), oldest first, in one query: for APIs that show
    the insights with each case of a page. A case without any is absent."""
    actor.require_case_read()
    found: dict[uuid.UUID, list[InsightRecord]] = {}
    if not case_ids:
        return found
    columns = (
        Insight.id, Insight.case_id, Insight.type, Insight.ref, Insight.resource_id, Insight.created_at,
        Insight.created_by,
    )  # fmt: skip
    query = (
        select(*columns)
        .where(Insight.workspace_id == actor.workspace_id, Insight.case_id.in_(list(case_ids)))
        .order_by(Insight.case_id, Insight.id)
    )
    for row in session.execute(query):
        found.setdefault(row.case_id, []).append(InsightRecord(*row))
    return found


def _check_size(count: int) -> None:
    if count < 1:
        raise InvalidInput.field("insights", _("must name at least one insight"))
    if count > MAX_INSIGHTS_PER_REQUEST:
        raise LimitExceeded("insights", MAX_INSIGHTS_PER_REQUEST, _("insights per request"))


def _existing(session: Session, case_id: uuid.UUID, keys: list[Key]) -> set[Key]:
    query = select(Insight.type, Insight.resource_id).where(
        Insight.case_id == case_id, tuple_(Insight.type, Insight.resource_id).in_(keys)
    )
    return {(row.type, row.resource_id) for row in session.execute(query)}


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's insights, as the case is deleted for good (casework.deletion)."""
    session.execute(delete(Insight.__table__).where(Insight.case_id == case_id))
