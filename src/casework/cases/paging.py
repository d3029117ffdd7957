"""How a page of cases is read: after a cursor, before one (`ending_before`), or by page number, along the sort's
index. A sort on a column that may be empty reads in two runs, the cases with a value and then the others."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, literal, tuple_
from sqlalchemy.orm import Session

from casework.cases import counts
from casework.cases.models import Case
from casework.cases.records import with_status
from casework.cases.schemas import CaseFilter
from casework.cases.text_search import TextSearch
from casework.db.statements import count_up_to
from casework.errors import InvalidInput
from casework.i18n import _
from casework.workflow.fields import search as field_search

DEFAULT_LIMIT = 50
# Page-number paging: OFFSET costs what it skips, so pages reach no further than the first MAX_PAGE_WINDOW cases,
# unless the caller asks for deep pages, which walk there by keyset windows of that many cases (walk_to).
MAX_PER_PAGE = 100
MAX_PAGE_WINDOW = 10_000
# Sorts on a column that may be empty, cases without a value last in either order: each page is read in two runs
# along the sort's index, the cases with a value and then the others by id.
_RUN_SORTS = frozenset({"closed", "category"})


@dataclass(frozen=True, slots=True)
class Paging:
    size: int
    offset: int = 0
    # The cursor to page from, and whether the page lies before it (ending_before) rather than after.
    position: str | None = None
    backwards: bool = False
    page: int | None = None


def paging_of(
    limit: int | None,
    cursor: str | None,
    ending_before: str | None,
    page: int | None,
    per_page: int | None,
    deep: bool = False,
) -> Paging:
    """Which page is asked for; 422 naming the parameter for a combination that does not page, or a page past the
    window (unless `deep`)."""
    if cursor is not None and ending_before is not None:
        raise InvalidInput.field("ending_before", _("give cursor or ending_before, not both"))
    if page is None and per_page is None:
        size = DEFAULT_LIMIT if limit is None else limit
        return Paging(size, position=ending_before or cursor, backwards=ending_before is not None)
    if cursor is not None or ending_before is not None:
        raise InvalidInput.field("page", _("page-number paging takes no cursor"))
    if limit is not None:
        raise InvalidInput.field("limit", _("with page, the page size is per_page"))
    page = 1 if page is None else page
    per_page = DEFAULT_LIMIT if per_page is None else per_page
    if page < 1:
        raise InvalidInput.field("page", _("must be at least 1"))
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput.field("per_page", _("must be between 1 and {most}", most=MAX_PER_PAGE))
    if page * per_page > MAX_PAGE_WINDOW and not deep:
        raise InvalidInput.field(
            "page",
            _("pages reach the first {most} cases (page × per_page); page on with the cursor", most=MAX_PAGE_WINDOW),
        )
    return Paging(per_page, offset=(page - 1) * per_page, page=page)


@dataclass(frozen=True, slots=True)
class Run:
    """One stretch of the list, read along one index: conditions and order."""

    conditions: tuple[Any, ...]
    ordering: tuple[Any, ...]


def _flip(order: str) -> str:
    return "asc" if order == "desc" else "desc"


def _by(column: Any, direction: str) -> Any:
    return column.desc() if direction == "desc" else column.asc()


def _beyond(column: Any, direction: str, value: Any, last_id: uuid.UUID) -> Any:
    """Past (value, last_id) in direction, on (column, id)."""
    # Typed after the column: a tuple's literals would otherwise skip UTCDateTime's conversion to stored UTC.
    key, last = tuple_(column, Case.id), tuple_(literal(value, column.type), literal(last_id, Case.id.type))
    return key < last if direction == "desc" else key > last


def runs_of(
    sort: str,
    order: str,
    column: Any,
    position: tuple[Any, uuid.UUID] | None,
    backwards: bool,
    by_field: field_search.SortValue | None,
    f: CaseFilter,
) -> list[Run]:
    """The stretches a page is read from, in the order read: backwards pages read the list reversed."""
    direction = _flip(order) if backwards else order
    if by_field is not None:
        return [_field_run(column, direction, position, backwards)]
    if sort not in _RUN_SORTS:
        after = (_beyond(column, direction, *position),) if position is not None else ()
        return [Run(after, (_by(column, direction), _by(Case.id, direction)))]
    valued, empty = _runs_of_nullable(column, direction, position)
    runs = [empty, valued] if backwards else [valued, empty]
    if position is not None:
        # The walk has passed the whole run before the position's own.
        in_empty = position[0] is None
        runs = runs[runs.index(empty if in_empty else valued) :]
    groups = counts.only_groups(f) if f.status else None
    if sort == "closed" and groups is not None:
        # A case has closed_at exactly while in the closed group: skip a run that cannot hold a matching case.
        if "closed" not in groups:
            runs.remove(valued)
        if not set(groups) - {"closed"}:
            runs.remove(empty)
    return runs


def _runs_of_nullable(column: Any, direction: str, position: tuple[Any, uuid.UUID] | None) -> tuple[Run, Run]:
    """The cases with a value, in (value, id) order, and those without, in id order; a position in one run skips
    whatever the walk has passed of the other."""
    value, last_id = position if position is not None else (None, None)
    in_empty = position is not None and value is None
    valued_conditions = [column.is_not(None)]
    empty_conditions = [column.is_(None)]
    if position is not None and not in_empty:
        valued_conditions.append(_beyond(column, direction, *position))
    if in_empty:
        empty_conditions.append(Case.id < last_id if direction == "desc" else Case.id > last_id)
    valued = Run(tuple(valued_conditions), (_by(column, direction), _by(Case.id, direction)))
    empty = Run(tuple(empty_conditions), (_by(Case.id, direction),))
    return valued, empty


def _field_run(column: Any, direction: str, position: tuple[Any, uuid.UUID] | None, backwards: bool) -> Run:
    """A custom field sort, in one statement: cases without a value last in the list's order (first when read
    backwards)."""
    first = _by(column, direction)
    ordering = (first.nulls_first() if backwards else first.nulls_last(), _by(Case.id, direction))
    if position is None:
        return Run((), ordering)
    value, last_id = position
    id_beyond = Case.id < last_id if direction == "desc" else Case.id > last_id
    if not backwards:
        if value is None:
            return Run((column.is_(None) & id_beyond,), ordering)
        return Run((_beyond(column, direction, value, last_id) | column.is_(None),), ordering)
    if value is None:
        return Run(((column.is_(None) & id_beyond) | column.is_not(None),), ordering)
    return Run((column.is_not(None) & _beyond(column, direction, value, last_id),), ordering)


def fetch(
    session: Session, query: Select[Any], column: Any, runs: list[Run], paging: Paging, matching: TextSearch | None
) -> list[Any]:
    """Up to size + 1 rows of the case's columns (query's), its sort value (sort_value) and its status's name
    (status_name), run after run, past `offset` cases."""
    rows: list[Any] = []
    wanted, offset = paging.size + 1, paging.offset
    for run in runs:
        stretch = query.where(*run.conditions)
        statement = stretch.add_columns(column.label("sort_value")).order_by(*run.ordering)
        statement = statement.limit(offset + wanted - len(rows))
        if matching is not None:
            statement = matching.page(statement)
        if offset:
            statement = _skipping(session, statement, wanted - len(rows), offset)
        # On the connection: plain rows, past the ORM's result machinery (the filters' ORM attributes would
        # otherwise send the statement through it).
        found = session.connection().execute(with_status(statement)).all()
        if offset and not found:
            # The run ends before the offset: the next starts that much nearer to it.
            counted = matching.filter(stretch) if matching else stretch
            offset -= count_up_to(session, counted.with_only_columns(Case.id), offset)
        else:
            offset = 0
        rows.extend(found)
        if len(rows) >= wanted:
            break
    return rows


def walk_to(
    session: Session,
    query: Select[Any],
    column: Any,
    offset: int,
    runs_from: Callable[[tuple[Any, uuid.UUID] | None], list[Run]],
    matching: TextSearch | None,
) -> tuple[tuple[Any, uuid.UUID] | None, int] | None:
    """A deep page's start as (keyset position, offset left, at most MAX_PAGE_WINDOW), reached window by window: each
    step reads the (sort value, id) of the case MAX_PAGE_WINDOW further along the sort's index, so that no statement
    skips more than a window. None when the list ends before `offset`."""
    window = MAX_PAGE_WINDOW
    # Steps read only the ids and sort values (along the index), never a case.
    ids = query.with_only_columns(Case.id)
    position = None
    while offset > window:
        rows = fetch(session, ids, column, runs_from(position), Paging(0, offset=window - 1), matching)
        if not rows:
            return None
        position, offset = (rows[0].sort_value, rows[0].id), offset - window
    return position, offset


def _skipping(session: Session, statement: Select[Any], limit: int, offset: int) -> Select[Any]:
    """statement's rows past offset: the ids are found first, along the index, and only the page's cases are read
    whole (a late row lookup: skipped rows cost an index step, not a join and a decoded row)."""
    ids = list(session.scalars(statement.with_only_columns(Case.id).limit(limit).offset(offset)))
    return statement.where(Case.id.in_(ids)).limit(limit) if ids else statement.where(false())
