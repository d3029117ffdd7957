"""Finding cases: filters, sorts and keyset pages over a workspace's cases."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, exists, func, intersect, literal, not_, select, tuple_
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.models import Case, CaseAssignee, CaseAttribute, CaseTag, priority_rank
from casework.cases.schemas import CaseFilter, SortField, SortOrder
from casework.cases.text_search import TextSearch
from casework.db.base import utcnow
from casework.db.statements import count_up_to
from casework.errors import InvalidInput
from casework.i18n import _
from casework.pagination import decode_cursor, encode_cursor
from casework.projects.service import resolve_project
from casework.workflow.fields import search as field_search
from casework.workflow.slas import service as slas
from casework.workflow.statuses.models import GROUPS as STATUS_GROUPS
from casework.workflow.statuses.models import CaseStatus


_SORT_COLUMNS = {
    "created": Case.created_at,
    "updated": Case.updated_at,
    "priority": Case.priority_rank,
    "number": Case.number,
}


@dataclass(frozen=True, slots=True)
class CasePage:
    items: list[Case]
    next_cursor: str | None
    total: int | None


def list_cases(
    session: Session,
    actor: Actor,
    filters: CaseFilter,
    sort: SortField = "updated",
    order: SortOrder = "desc",
    limit: int = 50,
    cursor: str | None = None,
    with_total: bool = False,
) -> CasePage:
    actor.require_case_read()
    query = _filtered(session, actor.workspace_id, filters)
    # q is applied apart: counting and paging want different plans (casework.cases.text_search).
    matching = TextSearch(session, filters.q) if filters.q is not None else None
    counted = matching.filter(query) if matching else query
    total = session.scalar(select(func.count()).select_from(counted.subquery())) if with_total else None
    if sort == CATEGORY_SORT:
        return _category_page(session, query, order, limit, cursor, matching, total)
    by_field = None
    if sort.startswith(field_search.FIELD_SORT_PREFIX):
        by_field = field_search.sort_value(session, actor.workspace_id, _project_id(session, actor, filters), sort)
        query = query.outerjoin(by_field.target, by_field.onclause)
        column = by_field.column
    else:
        column = _SORT_COLUMNS[sort]
    if cursor is not None:
        query = query.where(_after_cursor(column, sort, order, cursor, by_field))
    if by_field is not None:
        # Cases without a value come last in either order.
        first = column.desc() if order == "desc" else column.asc()
        ordering = (first.nulls_last(), Case.id.desc() if order == "desc" else Case.id.asc())
    else:
        ordering = (column.desc(), Case.id.desc()) if order == "desc" else (column.asc(), Case.id.asc())
    page = query.add_columns(column).order_by(*ordering).limit(limit + 1)
    rows = session.execute(matching.page(page) if matching else page).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last, last_value = rows[-1]
        next_cursor = encode_cursor([sort, order, _cursor_value(last_value), str(last.id)])
    return CasePage([row[0] for row in rows], next_cursor, total)


def _project_id(session: Session, actor: Actor, filters: CaseFilter) -> uuid.UUID | None:
    return resolve_project(session, actor.workspace_id, filters.project).id if filters.project is not None else None


def _cursor_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# What the sort columns can hold (INTEGER, SMALLINT): a value past them is no cursor this server issued.
_CURSOR_INT_RANGES = {"number": range(-(2**31), 2**31), "priority": range(-(2**15), 2**15)}


def _cursor_position(sort: str, raw: Any) -> Any:
    """The sort value a cursor holds; ValueError/TypeError/OverflowError unless it is one this server could issue."""
    if sort in ("created", "updated"):
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("naive time in cursor")
        return value.astimezone(UTC)
    number = int(raw)
    if number not in _CURSOR_INT_RANGES[sort]:
        raise ValueError("number out of range in cursor")
    return number


def _after_cursor(
    column: Any, sort: str, order: str, cursor: str, by_field: field_search.SortValue | None = None
) -> Any:
    values = decode_cursor(cursor)
    if len(values) != 4 or values[:2] != [sort, order]:
        raise InvalidInput.field("cursor", _("the cursor belongs to another sort or order"))
    try:
        if by_field is not None:
            value = field_search.cursor_value(by_field, values[2])
        else:
            value = _cursor_position(sort, values[2])
        if not isinstance(values[3], str):
            raise TypeError(values[3])
        last_id = uuid.UUID(values[3])
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput.field("cursor", _("not a cursor this server issued")) from None
    if by_field is not None and value is None:
        # Past the cases with a value: only those without one remain, in id order.
        return column.is_(None) & (Case.id < last_id if order == "desc" else Case.id > last_id)
    # Typed after the column: a tuple's literals would otherwise skip UTCDateTime's conversion to stored UTC.
    key, last = tuple_(column, Case.id), tuple_(literal(value, column.type), literal(last_id, Case.id.type))
    after = key < last if order == "desc" else key > last
    # A field value sorts before every case without one.
    return after | column.is_(None) if by_field is not None else after


def _filtered(session: Session, workspace_id: uuid.UUID, f: CaseFilter) -> Select[tuple[Case]]:
    query = select(Case).where(Case.workspace_id == workspace_id)
    if f.archived == "exclude":
        query = query.where(Case.archived_at.is_(None))
    elif f.archived == "only":
        query = query.where(Case.archived_at.is_not(None))
    if f.status:
        query = query.where(_in_statuses(session, workspace_id, f.status))
    if f.priority:
        query = query.where(Case.priority_rank.in_([priority_rank(p if p != "none" else None) for p in f.priority]))
    if f.severity:
        query = query.where(Case.severity.in_(f.severity))
    member_sets = [*_member_sets(workspace_id, f), *_attribute_sets(workspace_id, f)]
    query = query.where(*_membership_conditions(session, member_sets))
    query = query.where(*_case_field_conditions(f))
    if f.unassigned:
        query = query.where(not_(exists().where(CaseAssignee.case_id == Case.id)))
    if f.tag_none:
        query = query.where(not_(_contains(_tagged(workspace_id, f.tag_none))))
    if f.author is not None:
        query = query.where(Case.author_id == f.author)
    project_id = resolve_project(session, workspace_id, f.project).id if f.project is not None else None
    if project_id is not None:
        query = query.where(Case.project_id == project_id)
    if f.created_after is not None:
        query = query.where(Case.created_at >= f.created_after)
    if f.created_before is not None:
        query = query.where(Case.created_at < f.created_before)
    if f.updated_after is not None:
        query = query.where(Case.updated_at >= f.updated_after)
    if f.updated_before is not None:
        query = query.where(Case.updated_at < f.updated_before)
    if f.sla is not None:
        query = query.where(slas.sla_filter(f.sla, utcnow()))
    for condition in field_search.filter_conditions(session, workspace_id, project_id, f.field):
        query = query.where(condition)
    return query


def _in_statuses(session: Session, workspace_id: uuid.UUID, refs: list[str]) -> Any:
    """Groups match the group column; other refs name statuses by id or name (any case) in any project, and a ref
    that names no status at all is refused rather than matching nothing."""
    groups = {ref.lower() for ref in refs if ref.lower() in STATUS_GROUPS}
    named = [ref for ref in refs if ref.lower() not in STATUS_GROUPS]
    status_ids: list[uuid.UUID] = []
    if named:
        rows = session.execute(
            select(CaseStatus.id, CaseStatus.name).where(CaseStatus.workspace_id == workspace_id)
        ).all()
        for ref in named:
            matching = [i for i, name in rows if str(i) == ref.lower() or name.lower() == ref.lower()]
            if not matching:
                raise InvalidInput.field("status", _("no status is named {ref}", ref=ref))
            status_ids.extend(matching)
    # Only the parts asked for: an OR with an empty side would keep SQLite off the status indexes.
    if not status_ids:
        return Case.status.in_(groups)
    if not groups:
        return Case.status_id.in_(status_ids)
    return Case.status.in_(groups) | Case.status_id.in_(status_ids)


def _member_sets(workspace_id: uuid.UUID, f: CaseFilter) -> list[Select[tuple[uuid.UUID]]]:
    """The case ids each assignee/tag filter admits; a case must be in all of them."""
    sets = []
    if f.assignee:
        sets.append(
            select(CaseAssignee.case_id).where(
                CaseAssignee.workspace_id == workspace_id, CaseAssignee.user_id.in_(f.assignee)
            )
        )
    for tags in [[tag] for tag in f.tag] + ([f.tag_any] if f.tag_any else []):
        sets.append(_tagged(workspace_id, tags))
    return sets


def _tagged(workspace_id: uuid.UUID, tags: list[str]) -> Select[tuple[uuid.UUID]]:
    """The case ids holding any of tags."""
    return select(CaseTag.case_id).where(CaseTag.workspace_id == workspace_id, CaseTag.tag.in_(tags))


# Below this many ids a set drives the query on SQLite; above it, walking the sort index is cheaper.
SMALL_SET = 5000


def _membership_conditions(session: Session, sets: list[Select[tuple[uuid.UUID]]]) -> list[Any]:
    """PostgreSQL's planner knows each tag's and assignee's frequency and picks the join order itself. SQLite keeps
    no per-value statistics, so it would walk the sort index and probe every case, which is slow when few match: count
    each set up to SMALL_SET (a covering-index range), then drive from the smallest set when it is small, or from
    the intersection of two or more large ones (a merge over covering indexes), and walk the index otherwise."""
    if not sets:
        return []
    if session.get_bind().dialect.name != "sqlite":
        return [_contains(s) for s in sets]
    sizes = [count_up_to(session, s, SMALL_SET) for s in sets]
    smallest = min(range(len(sets)), key=sizes.__getitem__)
    if sizes[smallest] < SMALL_SET:
        # IN drives the query from the set; EXISTS only probes.
        return [Case.id.in_(sets[smallest]), *(_contains(s) for i, s in enumerate(sets) if i != smallest)]
    if len(sets) > 1:
        return [Case.id.in_(intersect(*sets))]
    return [_contains(sets[0])]


def _contains(case_ids: Select[tuple[uuid.UUID]]) -> Any:
    return exists(case_ids.where(case_ids.selected_columns[0] == Case.id))


# Vendor case fields: owner, category, requester id, attributes; the category sort


def _case_field_conditions(f: CaseFilter) -> list[Any]:
    conditions = []
    if f.owner:
        conditions.append(Case.owner.in_(f.owner))
    if f.category:
        conditions.append(Case.category.in_(f.category))
    if f.requester:
        conditions.append(Case.requester_id.in_(f.requester))
    return conditions


def _attribute_sets(workspace_id: uuid.UUID, f: CaseFilter) -> list[Select[tuple[uuid.UUID]]]:
    """The case ids each `KEY:VALUE` filter admits (split at the first colon: keys hold none)."""
    sets = []
    for pair in dict.fromkeys(f.attribute):
        key, value = pair.split(":", 1)
        sets.append(
            select(CaseAttribute.case_id).where(
                CaseAttribute.workspace_id == workspace_id, CaseAttribute.key == key, CaseAttribute.value == value
            )
        )
    return sets


CATEGORY_SORT = "category"


def _category_page(
    session: Session,
    query: Select[tuple[Case]],
    order: SortOrder,
    limit: int,
    cursor: str | None,
    matching: TextSearch | None,
    total: int | None,
) -> CasePage:
    """Cases with a category in its order, then those without one in id order, in either order: two ranges of
    ix_cases_ws_category, read one after the other, since neither database walks one index with NULLs last both ways.
    """
    descending = order == "desc"
    by_id = Case.id.desc() if descending else Case.id.asc()
    position = _category_cursor(order, cursor) if cursor is not None else None
    rows: list[Any] = []
    if position is None or position[0] is not None:
        with_one = query.where(Case.category.is_not(None))
        if position is not None:
            key = tuple_(Case.category, Case.id)
            last = tuple_(literal(position[0], Case.category.type), literal(position[1], Case.id.type))
            with_one = with_one.where(key < last if descending else key > last)
        by_category = Case.category.desc() if descending else Case.category.asc()
        page = with_one.add_columns(Case.category).order_by(by_category, by_id).limit(limit + 1)
        rows = list(session.execute(matching.page(page) if matching else page).all())
    if len(rows) <= limit:
        without = query.where(Case.category.is_(None))
        if position is not None and position[0] is None:
            without = without.where(Case.id < position[1] if descending else Case.id > position[1])
        page = without.add_columns(Case.category).order_by(by_id).limit(limit + 1 - len(rows))
        rows.extend(session.execute(matching.page(page) if matching else page).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last_case, last_category = rows[-1]
        next_cursor = encode_cursor([CATEGORY_SORT, order, last_category, str(last_case.id)])
    return CasePage([row[0] for row in rows], next_cursor, total)


def _category_cursor(order: str, cursor: str) -> tuple[str | None, uuid.UUID]:
    values = decode_cursor(cursor)
    if len(values) != 4 or values[:2] != [CATEGORY_SORT, order]:
        raise InvalidInput.field("cursor", _("the cursor belongs to another sort or order"))
    category, last_id = values[2], values[3]
    try:
        if not (category is None or isinstance(category, str) and "\x00" not in category) or not isinstance(last_id, str):
            raise TypeError(values)
        return category, uuid.UUID(last_id)
    except (TypeError, ValueError):
        raise InvalidInput.field("cursor", _("not a cursor this server issued")) from None
