import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow

SLA_TYPES = ("response", "completion")


class SlaPolicy(IdMixin, Base):
    """A project's target for one kind of SLA at one priority (rank 6: cases without a priority)."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("project_id", "sla_type", "priority_rank"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"))
    sla_type: Mapped[str] = mapped_column(String(12))
    priority_rank: Mapped[int] = mapped_column(SmallInteger)
    target_seconds: Mapped[int] = mapped_column()
    # The clock stops while the case is in a pending or on-hold status.
    pause_when_pending: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseSla(Base):
    """One running (or finished) SLA clock of a case. due_at moves later by every pause once the pause ends."""

    __tablename__ = "case_slas"
    __table_args__ = (
        # The worker's queue: clocks with a warning or breach still to announce, soonest first.
        Index("ix_case_slas_next_check_at", "next_check_at"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    sla_type: Mapped[str] = mapped_column(String(12), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    target_seconds: Mapped[int] = mapped_column()
    pause_when_pending: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    warn_at: Mapped[datetime] = mapped_column()
    paused_since: Mapped[datetime | None] = mapped_column()
    stopped_at: Mapped[datetime | None] = mapped_column()
    # When the worker wrote sla_warning / sla_exceeded; each at most once per case and SLA.
    warned_at: Mapped[datetime | None] = mapped_column()
    exceeded_at: Mapped[datetime | None] = mapped_column()
    next_check_at: Mapped[datetime | None] = mapped_column()
