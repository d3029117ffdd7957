"""Finding cases: filters, sorts and keyset pages over a workspace's cases."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, intersect, not_, or_, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases import counts
from casework.cases import paging as pages
from casework.cases.models import Case, CaseAssignee, CaseAttribute, CaseMetadata, CaseTag, metadata_digest
from casework.cases.records import CASE_COLUMNS, CaseRecord, page_records
from casework.cases.schemas import CaseFilter, SortField, SortOrder, metadata_filter
from casework.cases.text_search import TextSearch
from casework.db.base import utcnow
from casework.db.statements import count_up_to
from casework.errors import InvalidInput
from casework.i18n import _
from casework.pagination import decode_cursor, encode_cursor
from casework.projects.lookup import resolve_project
from casework.workflow.case_values import priority_rank
from casework.workflow.fields import search as field_search
from casework.workflow.slas import service as slas
from casework.workflow.statuses.models import GROUPS as STATUS_GROUPS
from casework.workflow.statuses.models import CaseStatus

_SORT_COLUMNS = {
    "created": Case.created_at,
    "updated": Case.updated_at,
    "priority": Case.priority_rank,
    "number": Case.number,
    "title": Case.title,
    "status": Case.status_rank,
    "severity": Case.severity_rank,
    "closed": Case.closed_at,
    "category": Case.category,
}


@dataclass(frozen=True, slots=True)
class CasePage:
    items: list[CaseRecord]
    next_cursor: str | None
    total: int | None
    prev_cursor: str | None = None
    total_exact: bool | None = None
    status_counts: dict[str, int] | None = None
    status_counts_exact: bool | None = None
    page: int | None = None
    per_page: int | None = None


def list_cases(
    session: Session,
    actor: Actor,
    filters: CaseFilter,
    sort: SortField = "updated",
    order: SortOrder = "desc",
    limit: int | None = None,
    cursor: str | None = None,
    with_total: bool = False,
    *,
    ending_before: str | None = None,
    page: int | None = None,
    per_page: int | None = None,
    exact_counts: bool = False,
    with_status_counts: bool = False,
    deep_pages: bool = False,
) -> CasePage:
    """A page of the cases matching filters: after `cursor`, before `ending_before` (in the same order), or page
    number `page` of `per_page`. with_total adds their number, with_status_counts their number per status group
    (the status filter left out), each counted up to counts.COUNT_CAP unless exact_counts. Numbered pages reach
    the first paging.MAX_PAGE_WINDOW cases, or any depth with `deep_pages` (APIs whose clients page so)."""
    actor.require_case_read()
    paging = pages.paging_of(limit, cursor, ending_before, page, per_page, deep_pages)
    query = _filtered(session, actor.workspace_id, filters)
    # q is applied apart: counting and paging want different plans (casework.cases.text_search).
    matching = (
        TextSearch(session, filters.q, filters.q_match == "any", filters.q_comments) if filters.q is not None else None
    )
    # The total and the counts per status, when the counters hold both, read them once.
    counters = (
        _counted(session, actor, filters) if with_total and with_status_counts and _by_counters(filters) else None
    )
    total = total_exact = None
    if with_total:
        total, total_exact = _total(session, actor, filters, query, matching, exact_counts, counters)
    by_status = by_status_exact = None
    if with_status_counts:
        by_status, by_status_exact = _status_counts(session, actor, filters, matching, exact_counts, counters)
    by_field = None
    if sort.startswith(field_search.FIELD_SORT_PREFIX):
        project_id = _project_id(session, actor, filters)
        by_field = field_search.sort_value(session, actor.workspace_id, project_id, sort, Case.id)
        query = query.outerjoin(by_field.target, by_field.onclause)
        column = by_field.column
    else:
        column = _SORT_COLUMNS[sort]
    position = _cursor_at(column, sort, order, paging.position, by_field) if paging.position is not None else None

    def runs_from(position: tuple[Any, uuid.UUID] | None) -> list[pages.Run]:
        return pages.runs_of(sort, order, column, position, paging.backwards, by_field, filters)

    rows = _rows(session, query, column, runs_from, position, paging, matching)
    items, next_cursor, prev_cursor = _with_cursors(rows, paging, sort, order, cursor)
    return CasePage(
        page_records(session, items),
        next_cursor,
        total,
        prev_cursor,
        total_exact,
        by_status,
        by_status_exact,
        page=paging.page,
        per_page=paging.size if paging.page is not None else None,
    )


def _rows(
    session: Session,
    query: Select[Any],
    column: Any,
    runs_from: Callable[[tuple[Any, uuid.UUID] | None], list[pages.Run]],
    position: tuple[Any, uuid.UUID] | None,
    paging: pages.Paging,
    matching: TextSearch | None,
) -> list[Any]:
    """The page's rows; a page deeper than the window is read past the keyset position the walk reaches."""
    if paging.offset <= pages.MAX_PAGE_WINDOW:
        return pages.fetch(session, query, column, runs_from(position), paging, matching)
    start = pages.walk_to(session, query, column, paging.offset, runs_from, matching)
    if start is None:
        return []
    position, offset = start
    return pages.fetch(session, query, column, runs_from(position), replace(paging, offset=offset), matching)


def _with_cursors(
    rows: list[Any], paging: pages.Paging, sort: str, order: str, cursor: str | None
) -> tuple[list[Any], str | None, str | None]:
    """The page's rows (fetched with one more than the page, backwards pages reversed), the cursor past its
    last case (while more follow) and the one before its first (past the first page)."""
    more = len(rows) > paging.size
    rows = rows[: paging.size]
    if paging.backwards:
        rows.reverse()

    def at(row: Any) -> str:
        return encode_cursor([sort, order, _cursor_value(row.sort_value), str(row.id)])

    first, last = (at(rows[0]), at(rows[-1])) if rows else (None, None)
    if paging.backwards:
        next_cursor, prev_cursor = last or paging.position, first if more else None
    else:
        next_cursor = last if more else None
        prev_cursor = (first or cursor) if cursor is not None or paging.offset else None
    return rows, next_cursor, prev_cursor


def _project_id(session: Session, actor: Actor, filters: CaseFilter) -> uuid.UUID | None:
    return resolve_project(session, actor.workspace_id, filters.project).id if filters.project is not None else None


def _cursor_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# What the sort columns can hold (INTEGER, SMALLINT): a value past them is no cursor this server issued.
_CURSOR_INT_RANGES = {
    "number": range(-(2**31), 2**31),
    "priority": range(-(2**15), 2**15),
    "status": range(-(2**15), 2**15),
    "severity": range(-(2**15), 2**15),
}
_TITLE_LENGTH = 160


def _cursor_position(sort: str, raw: Any) -> Any:
    """The sort value a cursor holds; ValueError/TypeError/OverflowError unless it is one this server could issue."""
    if sort in ("created", "updated", "closed"):
        if raw is None and sort == "closed":
            return None
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("naive time in cursor")
        return value.astimezone(UTC)
    if sort in ("title", "category"):
        if raw is None and sort == "category":
            return None
        if not isinstance(raw, str) or len(raw) > _TITLE_LENGTH or "\x00" in raw:
            raise ValueError("not a title or category")
        return raw
    if type(raw) is not int:
        raise TypeError(raw)
    if raw not in _CURSOR_INT_RANGES[sort]:
        raise ValueError("number out of range in cursor")
    return raw


def _cursor_at(
    column: Any, sort: str, order: str, cursor: str, by_field: field_search.SortValue | None = None
) -> tuple[Any, uuid.UUID]:
    """The (sort value, case id) a cursor points at; 422 naming cursor unless it is one of this sort and order."""
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
        return value, uuid.UUID(values[3])
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput.field("cursor", _("not a cursor this server issued")) from None


def _filtered(session: Session, workspace_id: uuid.UUID, f: CaseFilter) -> Select[Any]:
    """The matching cases' columns (records.CASE_COLUMNS), for a page's rows; counts select their ids alone."""
    query = select(*CASE_COLUMNS).where(Case.workspace_id == workspace_id)
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
    sets = [*_member_sets(workspace_id, f), *_metadata_sets(workspace_id, f), *_attribute_sets(workspace_id, f)]
    query = query.where(*_membership_conditions(session, sets))
    query = query.where(*_case_field_conditions(f))
    if f.unassigned:
        unassigned = not_(exists().where(CaseAssignee.case_id == Case.id))
        # With assignees named too: the unassigned cases or theirs (Kibana's `assignees=none&assignees=<uid>`).
        query = query.where(
            or_(unassigned, _contains(_assigned(workspace_id, f.assignee))) if f.assignee else unassigned
        )
    if f.tag_none:
        query = query.where(not_(_contains(_tagged(workspace_id, f.tag_none))))
    if f.author:
        query = query.where(Case.author_id.in_(f.author))
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
        query = query.where(slas.sla_filter(f.sla, utcnow(), Case.id))
    for condition in field_search.filter_conditions(session, workspace_id, project_id, f.field, Case.id):
        query = query.where(condition)
    return query.where(*_finding_conditions(f))


def _finding_conditions(f: CaseFilter) -> list[Any]:
    """Ids, numbers, types, excluded assignees and the closing time."""
    conditions: list[ColumnElement[bool]] = []
    if f.id:
        conditions.append(Case.id.in_(f.id))
    if f.number:
        conditions.append(Case.number.in_(f.number))
    if f.type:
        conditions.append(Case.type.in_(f.type))
    if f.assignee_none:
        excluded = select(CaseAssignee.case_id).where(
            CaseAssignee.case_id == Case.id, CaseAssignee.user_id.in_(f.assignee_none)
        )
        conditions.append(not_(exists(excluded)))
    if f.closed_after is not None:
        conditions.append(Case.closed_at >= f.closed_after)
    if f.closed_before is not None:
        conditions.append(Case.closed_at < f.closed_before)
    return conditions


def _metadata_sets(workspace_id: uuid.UUID, f: CaseFilter) -> list[Select[uuid.UUID]]:
    """The case ids each metadata filter admits."""
    sets = []
    for item in f.metadata:
        key, value = metadata_filter(item)
        sets.append(
            select(CaseMetadata.case_id).where(
                CaseMetadata.workspace_id == workspace_id,
                CaseMetadata.key == key,
                CaseMetadata.value_digest == metadata_digest(value),
            )
        )
    return sets


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


def _member_sets(workspace_id: uuid.UUID, f: CaseFilter) -> list[Select[uuid.UUID]]:
    """The case ids each assignee/tag filter admits; a case must be in all of them."""
    sets = []
    if f.assignee and not f.unassigned:
        sets.append(_assigned(workspace_id, f.assignee))
    for tags in [[tag] for tag in f.tag] + ([f.tag_any] if f.tag_any else []):
        sets.append(_tagged(workspace_id, tags))
    return sets


def _assigned(workspace_id: uuid.UUID, users: list[uuid.UUID]) -> Select[uuid.UUID]:
    """The case ids assigned to any of users."""
    return select(CaseAssignee.case_id).where(
        CaseAssignee.workspace_id == workspace_id, CaseAssignee.user_id.in_(users)
    )


def _tagged(workspace_id: uuid.UUID, tags: list[str]) -> Select[uuid.UUID]:
    """The case ids holding any of tags."""
    return select(CaseTag.case_id).where(CaseTag.workspace_id == workspace_id, CaseTag.tag.in_(tags))


# Below this many ids a set drives the query on SQLite; above it, walking the sort index is cheaper.
SMALL_SET = 5000


def _membership_conditions(session: Session, sets: list[Select[uuid.UUID]]) -> list[Any]:
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


def _contains(case_ids: Select[uuid.UUID]) -> Any:
    return exists(case_ids.where(case_ids.selected_columns[0] == Case.id))


# Vendor case fields: owner, category, requester id, attributes


def _case_field_conditions(f: CaseFilter) -> list[Any]:
    conditions = []
    if f.owner:
        conditions.append(Case.owner.in_(f.owner))
    if f.category:
        conditions.append(Case.category.in_(f.category))
    if f.requester:
        conditions.append(Case.requester_id.in_(f.requester))
    return conditions


def _attribute_sets(workspace_id: uuid.UUID, f: CaseFilter) -> list[Select[uuid.UUID]]:
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


# Counting


def _by_counters(f: CaseFilter) -> bool:
    """Whether the counters answer both the total and the counts per status of the filters' cases."""
    return counts.only_groups(f) is not None and counts.counters_answer(f)


def _total(
    session: Session,
    actor: Actor,
    f: CaseFilter,
    query: Select[Any],
    matching: TextSearch | None,
    exact: bool,
    counters: dict[str, int] | None = None,
) -> tuple[int, bool]:
    if _by_counters(f):
        by_group = counters if counters is not None else _counted(session, actor, f)
        return sum(by_group[group] for group in set(counts.only_groups(f) or ())), True
    return counts.count(session, matching.filter(query) if matching else query, exact)


def _counted(session: Session, actor: Actor, f: CaseFilter) -> dict[str, int]:
    assignee = f.assignee[0] if f.assignee else None
    return counts.counted(session, actor.workspace_id, _project_id(session, actor, f), f.archived, assignee)


def count_by_status(session: Session, actor: Actor, filters: CaseFilter, exact: bool = False) -> dict[str, int]:
    """The cases matching filters, the status filter left out, per status group: each counted up to
    counts.STATUS_COUNT_CAP unless exact."""
    actor.require_case_read()
    matching = (
        TextSearch(session, filters.q, filters.q_match == "any", filters.q_comments) if filters.q is not None else None
    )
    return _status_counts(session, actor, filters, matching, exact)[0]


def _status_counts(
    session: Session,
    actor: Actor,
    f: CaseFilter,
    matching: TextSearch | None,
    exact: bool,
    counters: dict[str, int] | None = None,
) -> tuple[dict[str, int], bool]:
    """Matching cases per status group, the status filter left out."""
    if counts.counters_answer(f):
        return dict(counters) if counters is not None else _counted(session, actor, f), True
    query = _filtered(session, actor.workspace_id, f.model_copy(update={"status": []}))
    if matching is not None:
        query = matching.filter(query)
    found = {
        group: counts.count(session, query.where(Case.status == group), exact, counts.STATUS_COUNT_CAP)
        for group in STATUS_GROUPS
    }
    return {group: n for group, (n, _exact) in found.items()}, all(exact for _n, exact in found.values())
