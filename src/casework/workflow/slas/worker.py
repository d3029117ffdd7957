"""The SLA worker: writes one `sla_warning` and one `sla_exceeded` activity entry per case and SLA, when its clock
crosses them, even across restarts and with several workers at once.

Each pass claims the clocks whose next_check_at has come (PostgreSQL: FOR UPDATE SKIP LOCKED, so workers share the
queue without waiting on each other; SQLite has one writer). An entry is written only by the transaction whose
conditional UPDATE (`warned_at IS NULL`) stamped the clock, so two workers never both write it.
"""

import threading
from datetime import datetime

import anyio
import structlog
from sqlalchemy import Update, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from casework import observability
from casework.activity import service as activity
from casework.cases.models import Case
from casework.db.base import utcnow
from casework.db.database import Database
from casework.db.statements import rows_affected
from casework.workflow.slas.models import CaseSla
from casework.workflow.slas.service import counted_until, next_check

SOURCE = "worker"
BATCH = 100
log = structlog.get_logger()


def check_batch(session: Session, now: datetime, batch: int = BATCH) -> tuple[int, int, int, datetime | None]:
    """One transaction's share of the due clocks: (clocks claimed, clocks handled, entries written, the earliest
    check time claimed)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    query = select(CaseSla).where(CaseSla.next_check_at <= now).order_by(CaseSla.next_check_at).limit(batch)
    if postgres:
        query = query.with_for_update(skip_locked=True)
    clocks = list(session.scalars(query.execution_options(populate_existing=True)))
    earliest = clocks[0].next_check_at if clocks else None
    handled = written = 0
    for clock in clocks:
        if postgres and not _case_free(session, clock):
            continue
        written += _announce(session, clock, now)
        handled += 1
    return len(clocks), handled, written, earliest


def _case_free(session: Session, clock: CaseSla) -> bool:
    """Take the case's key-share lock (which the activity row's foreign key needs) without waiting: a writer that
    holds the case FOR UPDATE may be waiting for this very clock, so waiting here could deadlock."""
    query = select(Case.id).where(Case.id == clock.case_id).with_for_update(read=True, key_share=True, skip_locked=True)
    return session.scalar(query) is not None


def _announce(session: Session, clock: CaseSla, now: datetime) -> int:
    until = counted_until(clock, now)
    written = 0
    thresholds = (("sla_warning", "warned_at", clock.warn_at), ("sla_exceeded", "exceeded_at", clock.due_at))
    for action, column, threshold in thresholds:
        if getattr(clock, column) is None and threshold <= until and _stamp(session, clock, column, now):
            changes = {
                "sla_type": [None, clock.sla_type],
                "target_seconds": [None, clock.target_seconds],
                "due_at": [None, clock.due_at],
            }
            activity.record_system(session, clock.workspace_id, clock.case_id, action, changes, SOURCE, now)
            written += 1
    following = next_check(clock)
    session.execute(_this(clock).values(next_check_at=following))
    set_committed_value(clock, "next_check_at", following)
    return written


def _this(clock: CaseSla) -> Update:
    table = CaseSla.__table__
    return update(table).where(table.c.case_id == clock.case_id, table.c.sla_type == clock.sla_type)


def _stamp(session: Session, clock: CaseSla, column: str, now: datetime) -> bool:
    """True if this transaction is the one that marked the threshold as announced."""
    stamped = rows_affected(session, _this(clock).where(getattr(CaseSla, column).is_(None)).values({column: now}))
    if stamped == 1:
        set_committed_value(clock, column, now)
        return True
    session.refresh(clock)
    return False


def _more_to_do(claimed: int, handled: int, batch: int) -> bool:
    """A full batch, some of it handled: more may be due (a batch of locked cases only waits for the next pass)."""
    return claimed == batch and handled > 0


def run_once(db: Database, now: datetime | None = None, batch: int = BATCH) -> int:
    """Announce every threshold crossed by `now`, a batch per transaction; returns the number of entries written."""
    now = now or utcnow()
    total = 0
    while True:
        claimed, handled, written, _earliest = db.run_sync(check_batch, now, batch)
        total += written
        if not _more_to_do(claimed, handled, batch):
            return total


def run_forever(db: Database, interval: float, stop: threading.Event | None = None) -> None:
    """`casework worker`: a pass every `interval` seconds until `stop` is set (or the process is interrupted)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            written = run_once(db)
        except Exception:  # noqa: BLE001 - a failed pass (database away, busy) is retried at the next one
            log.exception("SLA worker pass failed")
        else:
            if written:
                log.info("SLA entries written", count=written)
        stop.wait(interval)


async def pass_in_app(db: Database) -> None:
    """One pass inside the server process; its lag (how late the most overdue clock was) goes to the metrics."""
    now = utcnow()
    lag = 0.0
    while True:
        claimed, handled, _written, earliest = await db.write(check_batch, now, BATCH)
        if earliest is not None:
            lag = max(lag, (now - earliest).total_seconds())
        if not _more_to_do(claimed, handled, BATCH):
            break
    observability.sla_pass_done(lag)


async def run_in_app(db: Database, interval: float) -> None:
    """The same passes inside the server process (cancelled when the app stops)."""
    while True:
        try:
            await pass_in_app(db)
        except Exception:  # noqa: BLE001 - as in run_forever
            log.exception("SLA worker pass failed")
        await anyio.sleep(interval)
