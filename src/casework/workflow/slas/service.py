"""SLA clocks: started with the case, paused, stopped and re-targeted by its changes, shown at read time.

A clock's due_at is started_at + target + every stretch it did not count (paused, or closed), so the time counted
at any moment t is target - (due_at - t), with t held at paused_since or stopped_at while the clock is frozen.

Each change puts every clock in the state the case calls for (see _wanted_state):
- stopped while the case is in the closed group, and the response clock once the case has its first response;
- paused while the case is in a pending/on_hold category, if its policy pauses;
- running otherwise. Leaving a pause or a closed status moves due_at/warn_at later by the time spent there, so
  a reopened case resumes both clocks where they stopped (the response clock only if nobody has responded yet).
A clock not stopped for good follows the current policy of the case's priority: re-targeted from the same start,
removed when no policy applies any more; a clock a policy newly calls for starts at that change (a priority change,
a new policy set, or the reopening of a case created closed, which has none).
"""

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    Uuid,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.db.base import new_id, utcnow
from casework.errors import InvalidInput
from casework.i18n import Message, _
from casework.projects import lookup as projects
from casework.projects.configuration import cached
from casework.projects.models import Project
from casework.workflow.case_values import priority_rank
from casework.workflow.slas.models import SLA_TYPES, CaseSla, SlaPolicy
from casework.workflow.slas.schemas import SlaPolicySet

RESPONSE, COMPLETION = SLA_TYPES
PAUSING_CATEGORIES = frozenset({"pending", "on_hold"})
RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"
# The case fields a clock depends on; any other change leaves the clocks alone.
_CLOCK_FIELDS = frozenset({"status_category", "closed_at", "first_response_at", "priority"})

LABELS = {RESPONSE: _("Response"), COMPLETION: _("Completion")}


def sla_label(sla_type: str) -> Message:
    return LABELS[sla_type]


class ClockedCase(Protocol):
    """What the clocks read of a case (the cases table lives above this package)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def workspace_id(self) -> uuid.UUID: ...
    @property
    def priority_rank(self) -> int: ...
    @property
    def status_category(self) -> str: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def first_response_at(self) -> datetime | None: ...


class ClockReading(Protocol):
    """What a view reads of a clock: a loaded CaseSla, or a row of these columns (CLOCK_COLUMNS)."""

    @property
    def sla_type(self) -> str: ...
    @property
    def target_seconds(self) -> int: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def paused_since(self) -> datetime | None: ...
    @property
    def stopped_at(self) -> datetime | None: ...


CLOCK_COLUMNS = ("sla_type", "target_seconds", "due_at", "paused_since", "stopped_at")


@dataclass(frozen=True, slots=True)
class CaseState:
    """What the clocks of one case depend on, as of after the change."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    priority_rank: int
    status_category: str
    closed: bool
    responded: bool

    @classmethod
    def of(cls, case: ClockedCase) -> "CaseState":
        """The case as it stands."""
        return cls(
            case.id,
            case.workspace_id,
            case.priority_rank,
            case.status_category,
            case.closed_at is not None,
            case.first_response_at is not None,
        )


# One clock


def counted_until(clock: ClockReading, now: datetime) -> datetime:
    """The moment the clock's count stands at: now, or when it was paused or stopped."""
    return min(t for t in (now, clock.paused_since, clock.stopped_at) if t is not None)


def next_check(clock: CaseSla) -> datetime | None:
    """The next threshold the worker has to announce, if the clock can still reach it (or reached it already)."""
    frozen = clock.stopped_at or clock.paused_since
    for threshold, announced in ((clock.warn_at, clock.warned_at), (clock.due_at, clock.exceeded_at)):
        if announced is None:
            return threshold if frozen is None or threshold <= frozen else None
    return None


def _state(clock: CaseSla) -> str:
    if clock.stopped_at is not None:
        return STOPPED
    return PAUSED if clock.paused_since is not None else RUNNING


def _stopped_for_good(sla_type: str, case: CaseState) -> bool:
    return case.closed or (sla_type == RESPONSE and case.responded)


def _wanted_state(clock: CaseSla, case: CaseState) -> str:
    if _stopped_for_good(clock.sla_type, case):
        return STOPPED
    if clock.pause_when_pending and case.status_category in PAUSING_CATEGORIES:
        return PAUSED
    return RUNNING


def _shift(clock: CaseSla, since: datetime, now: datetime) -> None:
    """The stretch from `since` to now does not count: the thresholds move later by it."""
    stretch = max(now - since, timedelta(0))
    clock.due_at += stretch
    clock.warn_at += stretch


def _settle(clock: CaseSla, case: CaseState, now: datetime) -> None:
    current, wanted = _state(clock), _wanted_state(clock, case)
    if current != wanted:
        if clock.paused_since is not None:
            _shift(clock, clock.paused_since, now)
            clock.paused_since = None
        if clock.stopped_at is not None:
            _shift(clock, clock.stopped_at, now)
            clock.stopped_at = None
        if wanted == PAUSED:
            clock.paused_since = now
        elif wanted == STOPPED:
            clock.stopped_at = now
    clock.next_check_at = next_check(clock)


def _warn_offset(target_seconds: int, percent: int) -> timedelta:
    return timedelta(seconds=target_seconds * percent // 100)


def _retarget(clock: CaseSla, policy: SlaPolicy, percent: int) -> None:
    """The policy's target from the clock's start (and its pauses so far)."""
    base = clock.due_at - timedelta(seconds=clock.target_seconds)
    clock.target_seconds = policy.target_seconds
    clock.pause_when_pending = policy.pause_when_pending
    clock.due_at = base + timedelta(seconds=policy.target_seconds)
    clock.warn_at = base + _warn_offset(policy.target_seconds, percent)


def _new_clock(case: CaseState, policy: SlaPolicy, percent: int, now: datetime) -> CaseSla:
    return CaseSla(
        case_id=case.id,
        sla_type=policy.sla_type,
        workspace_id=case.workspace_id,
        target_seconds=policy.target_seconds,
        pause_when_pending=policy.pause_when_pending,
        started_at=now,
        due_at=now + timedelta(seconds=policy.target_seconds),
        warn_at=now + _warn_offset(policy.target_seconds, percent),
        paused_since=None,
        stopped_at=None,
        warned_at=None,
        exceeded_at=None,
        next_check_at=None,
    )


# The clocks of a case


def reconcile(
    session: Session,
    case: CaseState,
    clocks: list[CaseSla],
    policies: dict[str, SlaPolicy],
    percent: int,
    now: datetime,
) -> list[CaseSla]:
    """Bring the case's clocks in line with its state and policies; returns the clocks it added."""
    existing = {clock.sla_type: clock for clock in clocks}
    added = []
    for sla_type in SLA_TYPES:
        clock, policy = existing.get(sla_type), policies.get(sla_type)
        if clock is None:
            if policy is None or _stopped_for_good(sla_type, case):
                continue
            clock = _new_clock(case, policy, percent, now)
            session.add(clock)
            added.append(clock)
        elif clock.stopped_at is None or not _stopped_for_good(sla_type, case):
            if policy is None:
                session.delete(clock)
                continue
            _retarget(clock, policy, percent)
        _settle(clock, case, now)
    return added


def _locked_clocks(session: Session, case_id: uuid.UUID) -> list[CaseSla]:
    prefetched = session.info.get(_PREFETCHED, {}).pop(case_id, None)
    if prefetched is not None:
        return prefetched  # type: ignore[no-any-return]
    query = select(CaseSla).where(CaseSla.case_id == case_id).with_for_update()
    return list(session.scalars(query.execution_options(populate_existing=True)))


# session.info: case id -> its clocks, locked and read together for a change of many cases, each list taken once.
_PREFETCHED = "prefetched_clocks"


@contextmanager
def clocks_locked(session: Session, case_ids: Iterable[uuid.UUID]) -> Iterator[None]:
    """The clocks of many cases about to change, locked and read in one statement rather than one per case; each
    case's first clock change within takes them, a later one reads them again (the first may have added or dropped
    some)."""
    session.info[_PREFETCHED] = _clocks_by_case(session, case_ids, lock=True)
    try:
        yield
    finally:
        session.info.pop(_PREFETCHED, None)


def clocks_of(session: Session, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[CaseSla]]:
    """The clocks of many cases, read in one statement, each case's in the order Case.sla_clocks holds them."""
    return _clocks_by_case(session, case_ids, lock=False)


def _clocks_by_case(session: Session, case_ids: Iterable[uuid.UUID], lock: bool) -> dict[uuid.UUID, list[CaseSla]]:
    ids = set(case_ids)
    query = select(CaseSla).where(CaseSla.case_id.in_(ids)).order_by(CaseSla.case_id, CaseSla.sla_type)
    by_case: dict[uuid.UUID, list[CaseSla]] = {case_id: [] for case_id in ids}
    for clock in session.scalars(
        (query.with_for_update() if lock else query).execution_options(populate_existing=True)
    ):
        by_case[clock.case_id].append(clock)
    return by_case


def _policies_for(session: Session, project_id: uuid.UUID, rank: int) -> dict[str, SlaPolicy]:
    parameters = {"project_id": project_id, "rank": rank}
    policies = cached(
        session, (_POLICIES_FOR, project_id, rank), lambda: session.scalars(_POLICIES_FOR, parameters).all()
    )
    return {policy.sla_type: policy for policy in policies}


# Built once: a statement's cache key is worked out again for every new statement object (every create reads it).
_POLICIES_FOR = select(SlaPolicy).where(
    SlaPolicy.project_id == bindparam("project_id", type_=Uuid()),
    SlaPolicy.priority_rank == bindparam("rank", type_=Integer()),
)


def new_case_policies(session: Session, project_id: uuid.UUID, priority_rank: int) -> dict[str, SlaPolicy]:
    """The policies a new case of the project starts clocks for, by SLA type. Read them before the case's writes:
    the unit of work then reads the configuration's generation once (after a write it reads it again)."""
    return _policies_for(session, project_id, priority_rank)


def start_clocks(
    session: Session, case: ClockedCase, project: Project, policies: dict[str, SlaPolicy], now: datetime
) -> list[CaseSla]:
    """The clocks `policies` (new_case_policies) give a new case (already written). A case created with assignees
    has had its response; one created pending starts its pausing clocks paused; one created closed gets clocks if
    reopened."""
    state = CaseState.of(case)
    clocks = reconcile(session, state, [], policies, project.sla_warning_percent, now)
    session.flush()
    return clocks


def on_case_change(
    session: Session, case: ClockedCase, project: Project, changes: dict[str, list[Any]], now: datetime
) -> None:
    """Follow a change of the case (`case` as before it; `changes`: field -> [old, new], including status_category,
    closed_at and first_response_at when they change, priority as a label)."""
    if not _CLOCK_FIELDS & changes.keys():
        return

    def after(field: str, before: Any) -> Any:
        return changes[field][1] if field in changes else before

    rank = priority_rank(changes["priority"][1]) if "priority" in changes else case.priority_rank
    state = CaseState(
        case.id,
        case.workspace_id,
        rank,
        after("status_category", case.status_category),
        after("closed_at", case.closed_at) is not None,
        after("first_response_at", case.first_response_at) is not None,
    )
    clocks = _locked_clocks(session, case.id)
    reconcile(session, state, clocks, _policies_for(session, project.id, rank), project.sla_warning_percent, now)
    session.flush()


def follow_project_move(session: Session, case: ClockedCase, project: Project, now: datetime) -> None:
    """After the case (as it now is) moved into `project`: its clocks follow that project's policies. A running
    clock keeps its start and takes the new target; a clock the project has no policy for goes; a missing one
    starts now."""
    state = CaseState.of(case)
    clocks = _locked_clocks(session, case.id)
    policies = _policies_for(session, project.id, case.priority_rank)
    reconcile(session, state, clocks, policies, project.sla_warning_percent, now)
    session.flush()


def stop_response_clock(session: Session, case: ClockedCase, at: datetime) -> None:
    """The case's first response came `at` (case.first_response_at already set): its response clock stops."""
    state = CaseState.of(case)
    for clock in _locked_clocks(session, case.id):
        if clock.sla_type == RESPONSE:
            _settle(clock, state, at)
    session.flush()


def project_policies_by_rank(session: Session, project_id: uuid.UUID) -> dict[int, dict[str, SlaPolicy]]:
    policies: dict[int, dict[str, SlaPolicy]] = {}
    for policy in session.scalars(select(SlaPolicy).where(SlaPolicy.project_id == project_id)):
        policies.setdefault(policy.priority_rank, {})[policy.sla_type] = policy
    return policies


# Reading


def _view(clock: ClockReading, now: datetime) -> dict[str, Any]:
    until = counted_until(clock, now)
    counted = clock.target_seconds - (clock.due_at - until).total_seconds()
    current = max(int(counted), 0)
    return {
        "sla_type": clock.sla_type,
        "target_seconds": clock.target_seconds,
        "current_time_seconds": current,
        "remaining_time_seconds": max(clock.target_seconds - current, 0),
        "percent_elapsed": round(100 * current / clock.target_seconds, 1),
        "exceeded": clock.due_at <= until,
        "paused": clock.paused_since is not None,
    }


def clock_views(clocks: Iterable[ClockReading], now: datetime) -> list[dict[str, Any]]:
    """SLAs of a case's clocks (entities or rows) as of `now`, response first."""
    ordered = sorted(clocks, key=lambda clock: SLA_TYPES.index(clock.sla_type))
    return [_view(clock, now) for clock in ordered]


def sla_filter(which: str, now: datetime, case_id: SQLColumnExpression[uuid.UUID]) -> ColumnElement[bool]:
    """Cases (by `case_id`, the listing's case id column) with an `exceeded` clock (past due when counted), or one
    `at_risk`: not stopped, past its warning, not yet due (a paused clock counts where it was paused)."""
    at = literal(now, CaseSla.due_at.type)
    if which == "exceeded":
        crossed = CaseSla.due_at <= func.coalesce(CaseSla.stopped_at, CaseSla.paused_since, at)
    else:
        until = func.coalesce(CaseSla.paused_since, at)
        crossed = and_(CaseSla.stopped_at.is_(None), CaseSla.warn_at <= until, CaseSla.due_at > until)
    return exists().where(CaseSla.case_id == case_id, crossed)


# Policies


def _project_policies(session: Session, project_id: uuid.UUID) -> list[SlaPolicy]:
    rows = session.scalars(select(SlaPolicy).where(SlaPolicy.project_id == project_id))
    return sorted(rows, key=lambda p: (SLA_TYPES.index(p.sla_type), p.priority_rank))


def get_policies(session: Session, actor: Actor, ref: str) -> tuple[Project, list[SlaPolicy]]:
    actor.require_case_read()
    project = projects.resolve_project(session, actor.workspace_id, ref)
    return project, _project_policies(session, project.id)


def _refuse_duplicates(data: SlaPolicySet) -> None:
    seen: dict[tuple[str, str | None], int] = {}
    for index, policy in enumerate(data.policies):
        first = seen.setdefault((policy.sla_type, policy.priority), index)
        if first != index:
            priority = policy.priority or _("no priority")
            message = _(
                "repeats the {sla_type} policy for {priority} of item {first}",
                sla_type=policy.sla_type,
                priority=priority,
                first=first,
            )
            raise InvalidInput.field(f"policies.{index}", message)


def replace_policies(
    session: Session, actor: Actor, ref: str, data: SlaPolicySet, now: datetime | None = None
) -> tuple[Project, list[SlaPolicy]]:
    """The project's policies become `data`. The clocks of its open cases follow in the same transaction: entry points
    call casework.cases.configuration.replace_sla_policies, which does both."""
    actor.require_case_admin()
    _refuse_duplicates(data)
    # One replacement at a time, read again under the lock so its warning share is current. FOR UPDATE (not NO KEY)
    # also holds back cases being created in the project, which would otherwise start clocks from the old set.
    found = projects.resolve_project(session, actor.workspace_id, ref)
    project = session.scalars(
        select(Project).where(Project.id == found.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    now = now or utcnow()
    session.execute(delete(SlaPolicy.__table__).where(SlaPolicy.project_id == project.id))
    rows = [
        {
            "id": new_id(),
            "workspace_id": project.workspace_id,
            "project_id": project.id,
            "sla_type": policy.sla_type,
            "priority_rank": priority_rank(policy.priority),
            "target_seconds": policy.target_seconds,
            "pause_when_pending": policy.pause_when_pending,
            "created_at": now,
            "updated_at": now,
        }
        for policy in data.policies
    ]
    if rows:
        session.execute(insert(SlaPolicy.__table__), rows)
    if data.warning_percent is not None and data.warning_percent != project.sla_warning_percent:
        project.sla_warning_percent = data.warning_percent
        project.updated_at = now
        session.flush()
    return project, _project_policies(session, project.id)


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's SLA clocks, as the case is deleted for good (casework.deletion)."""
    session.execute(delete(CaseSla.__table__).where(CaseSla.case_id == case_id))


def delete_for_project(session: Session, project_id: uuid.UUID) -> None:
    session.execute(delete(SlaPolicy.__table__).where(SlaPolicy.project_id == project_id))
