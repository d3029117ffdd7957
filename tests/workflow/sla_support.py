"""Shared by the SLA tests: setting a project's policies, and reading and moving a case's clocks at a chosen time."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from casework.cases.models import Case
from casework.db.database import Database
from casework.projects.models import Project
from casework.workflow.slas import service as slas
from casework.workflow.slas.models import CaseSla

HOUR = 3600


async def set_policies(client: httpx.AsyncClient, *policies: dict[str, Any], **extra: Any) -> dict:
    """PUT the tenant's project SEC's policies (and `extra` fields such as warning_percent)."""
    response = await client.put("/projects/SEC/slas", json={"policies": list(policies), **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def policy(sla_type: str, target: int, priority: str | None = None, pause: bool = False) -> dict[str, Any]:
    return {"sla_type": sla_type, "priority": priority, "target_seconds": target, "pause_when_pending": pause}


def clocks(db: Database, case_id: str | uuid.UUID) -> dict[str, CaseSla]:
    """The case's clocks by SLA type, as stored."""

    def work(session):  # type: ignore[no-untyped-def]
        rows = session.scalars(select(CaseSla).where(CaseSla.case_id == uuid.UUID(str(case_id))))
        return {clock.sla_type: clock for clock in rows}

    return db.run_sync(work, write=False)


def started(db: Database, case_id: str | uuid.UUID) -> datetime:
    """When the case's clocks started (they start together, at its creation)."""
    starts = {clock.started_at for clock in clocks(db, case_id).values()}
    assert len(starts) == 1, starts
    return starts.pop()


def change(db: Database, case_id: str | uuid.UUID, changes: dict[str, list[Any]], at: datetime) -> None:
    """on_case_change at time `at`, as the case service calls it, and the case row written as it would be."""

    def work(session):  # type: ignore[no-untyped-def]
        case = session.get(Case, uuid.UUID(str(case_id)))
        project = session.get(Project, case.project_id)
        slas.on_case_change(session, case, project, changes, at)
        columns = {k: v[1] for k, v in changes.items() if k in ("status_category", "closed_at", "first_response_at")}
        if "priority" in changes:
            columns["priority_rank"] = int(changes["priority"][1][1]) if changes["priority"][1] else 6
        session.execute(update(Case.__table__).where(Case.id == case.id).values(**columns))

    db.run_sync(work)


def views(db: Database, case_id: str | uuid.UUID, at: datetime) -> dict[str, dict[str, Any]]:
    """The stored case's clock views as of `at`, by SLA type."""

    def work(session):  # type: ignore[no-untyped-def]
        case = session.get(Case, uuid.UUID(str(case_id)))
        return {view["sla_type"]: view for view in slas.clock_views(case.sla_clocks, at)}

    return db.run_sync(work, write=False)


def move_clock(db: Database, case_id: str | uuid.UUID, sla_type: str, **values: Any) -> None:
    """Set a clock's columns directly (to put its thresholds in the past of the real clock)."""

    def work(session):  # type: ignore[no-untyped-def]
        session.execute(
            update(CaseSla.__table__)
            .where(CaseSla.case_id == uuid.UUID(str(case_id)), CaseSla.sla_type == sla_type)
            .values(**values)
        )

    db.run_sync(work)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)
