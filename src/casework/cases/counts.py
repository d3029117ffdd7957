"""How many cases a list holds, without counting a workspace's cases on each request.

A list filtered by nothing but status groups, project, archived and one assignee reads the counters of case_counts
(assignee_case_counts with an assignee), which the case service keeps in each write's transaction (count_case):
exact, at any size. Any other filter counts the matching cases up to a cap (an index range, usually), unless the
client asks for an exact count.
"""

import random
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Select, and_, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from casework.cases.models import STATUS_COUNT_COLUMNS, AssigneeCaseCount, Case, CaseAssignee, CaseCount
from casework.cases.schemas import CaseFilter
from casework.db.statements import add_to_counters, count_up_to
from casework.workflow.statuses.models import GROUPS as STATUS_GROUPS

# Totals stop here unless asked to be exact; Kibana's deepest page (page × perPage) is as far.
COUNT_CAP = 10_000
# Status counts under other filters stop sooner: three of them come with every Kibana find, and a capped count costs
# about cap ÷ (the filter's share of the cases) rows when no index serves the filter.
STATUS_COUNT_CAP = 1_000
# What the counters break down by; any other filter needs the cases counted.
_COUNTED_BY = frozenset({"status", "project", "archived", "assignee"})


def counters_answer(filters: CaseFilter) -> bool:
    """Whether every filter but status, project, archived and at most one assignee is at its default."""
    return len(filters.assignee) <= 1 and all(
        getattr(filters, name) == info.default
        for name, info in CaseFilter.model_fields.items()
        if name not in _COUNTED_BY
    )


def only_groups(filters: CaseFilter) -> list[str] | None:
    """The status groups the status filter names (all of them without one), or None if it names statuses."""
    groups = [ref.lower() for ref in filters.status]
    if not all(group in STATUS_GROUPS for group in groups):
        return None
    return groups or list(STATUS_GROUPS)


def counted(
    session: Session,
    workspace_id: uuid.UUID,
    project_id: uuid.UUID | None,
    archived: str,
    assignee: uuid.UUID | None = None,
) -> dict[str, int]:
    """Cases per status group from the counters, for `archived` = exclude, include or only; of one assignee's cases
    if given."""
    table = CaseCount.__table__ if assignee is None else AssigneeCaseCount.__table__
    keys = list(STATUS_COUNT_COLUMNS)
    query = select(*(func.coalesce(func.sum(table.c[STATUS_COUNT_COLUMNS[key]]), 0) for key in keys))
    query = query.where(table.c.workspace_id == workspace_id)
    if assignee is not None:
        query = query.where(table.c.user_id == assignee)
    if project_id is not None:
        query = query.where(table.c.project_id == project_id)
    sums = dict(zip(keys, session.execute(query).one(), strict=True))
    wanted = {"exclude": (False,), "include": (False, True), "only": (True,)}[archived]
    return {group: sum(int(sums[(group, flag)]) for flag in wanted) for group in STATUS_GROUPS}


def count(session: Session, query: Select[Any], exact: bool, cap: int | None = None) -> tuple[int, bool]:
    """(how many cases query gives, whether that is exact): up to cap (COUNT_CAP) unless exact."""
    cap = COUNT_CAP if cap is None else cap
    ids = query.with_only_columns(Case.id)
    if exact:
        return session.scalar(select(func.count()).select_from(ids.subquery())) or 0, True
    found = count_up_to(session, ids, cap + 1)
    return min(found, cap), found <= cap


def recount(connection: Connection, workspace_id: uuid.UUID) -> None:
    """Sets a workspace's counters from its cases: for bulk loads that write cases without the service."""
    sums = [
        func.sum(case((and_(Case.status == group, archived_test), 1), else_=0)).label(column)
        for (group, archived), column in STATUS_COUNT_COLUMNS.items()
        for archived_test in [Case.archived_at.is_not(None) if archived else Case.archived_at.is_(None)]
    ]
    by_project = (
        select(Case.workspace_id, Case.project_id, literal(0).label("slot"), *sums)
        .where(Case.workspace_id == workspace_id)
        .group_by(Case.workspace_id, Case.project_id)
    )
    by_assignee = (
        select(Case.workspace_id, CaseAssignee.user_id, Case.project_id, literal(0).label("slot"), *sums)
        .join(CaseAssignee, CaseAssignee.case_id == Case.id)
        .where(Case.workspace_id == workspace_id)
        .group_by(Case.workspace_id, CaseAssignee.user_id, Case.project_id)
    )
    for table, rows in ((CaseCount.__table__, by_project), (AssigneeCaseCount.__table__, by_assignee)):
        connection.execute(delete(table).where(table.c.workspace_id == workspace_id))
        names = [column.name for column in rows.selected_columns]
        connection.execute(insert(table).from_select(names, rows))


# Spread of each project's status counts (CaseCount): a transaction writes one slot, chosen at random.
COUNT_SLOTS = 8


def count_case(
    session: Session,
    case: Case,
    before: tuple[str, bool] | None,
    after: tuple[str, bool] | None,
    assignees: tuple[Iterable[str], Iterable[str]] | None = None,
) -> None:
    """Moves the case in its project's status counts from (group, archived) `before` to `after` (None: not counted,
    as before a create), and in those of its assignees: `assignees` (before, after) when the write changes them, else
    the case's own on both sides. Every write that adds a case, changes its status group or assignees, archives or
    restores it calls this in its own transaction. One row per transaction and counter: concurrent writers never lock
    two in turn."""
    users_before, users_after = ({str(user) for user in users} for users in assignees or (case.assignee_ids,) * 2)
    slot = session.info.setdefault("case_count_slot", random.randrange(COUNT_SLOTS))
    key = {"workspace_id": case.workspace_id, "project_id": case.project_id, "slot": slot}
    deltas = _deltas(before, after)
    if deltas:
        add_to_counters(session, CaseCount.__table__, key, deltas)
    for user in sorted(users_before | users_after):
        deltas = _deltas(before if user in users_before else None, after if user in users_after else None)
        if deltas:
            add_to_counters(session, AssigneeCaseCount.__table__, {**key, "user_id": uuid.UUID(user)}, deltas)


def _deltas(before: tuple[str, bool] | None, after: tuple[str, bool] | None) -> dict[str, int]:
    deltas: dict[str, int] = {}
    if before is not None:
        deltas[STATUS_COUNT_COLUMNS[before]] = -1
    if after is not None:
        column = STATUS_COUNT_COLUMNS[after]
        deltas[column] = deltas.get(column, 0) + 1
    return {column: delta for column, delta in deltas.items() if delta}
