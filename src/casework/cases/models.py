import uuid
from datetime import datetime
from typing import Any

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db.base import Base, IdMixin, utcnow
from casework.db.handles import HandleMixin

if TYPE_CHECKING:
    from casework.workflow.slas.models import CaseSla
    from casework.workflow.statuses.models import CaseStatus

# Priority is kept as a rank so that "no priority" sorts after P5 and keyset pages need no NULL handling.
NO_PRIORITY_RANK = 6


def priority_rank(priority: str | None) -> int:
    return int(priority[1]) if priority else NO_PRIORITY_RANK


def priority_label(rank: int) -> str | None:
    return None if rank == NO_PRIORITY_RANK else f"P{rank}"


class Case(IdMixin, Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        UniqueConstraint("workspace_id", "key"),
        # Default list: a workspace's live cases by status, newest update first.
        Index("ix_cases_ws_status_updated", "workspace_id", "status", "updated_at", "id"),
        # Lists sorted by update or creation without a status filter.
        Index("ix_cases_ws_updated", "workspace_id", "updated_at", "id"),
        Index("ix_cases_ws_created", "workspace_id", "created_at", "id"),
        # Lists sorted by priority.
        Index("ix_cases_ws_priority", "workspace_id", "priority_rank", "id"),
        # Cases by project.
        Index("ix_cases_project_updated", "project_id", "updated_at", "id"),
        # Lists filtered by named statuses (a status is per project, so a name may stand for several ids).
        Index("ix_cases_ws_status_id_updated", "workspace_id", "status_id", "updated_at", "id"),
        # Title and description have a text-search index too, which this metadata cannot declare on both
        # databases: see casework.cases.text_search.
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"))
    number: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    # The status itself, and copies of its group and category that lists filter and SLAs pause on.
    status_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_statuses.id"))
    status: Mapped[str] = mapped_column(String(20))
    status_category: Mapped[str] = mapped_column(String(12))
    priority_rank: Mapped[int] = mapped_column(SmallInteger, default=NO_PRIORITY_RANK)
    severity: Mapped[str] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(64))
    # Read copies of case_assignees / case_tags, so that a case reads in one row.
    assignee_ids: Mapped[dict[str, Any]] = mapped_column()
    tags: Mapped[dict[str, Any]] = mapped_column()
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    requester: Mapped[dict[str, Any] | None] = mapped_column()
    due_date: Mapped[datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(String(160))
    resolution_reason: Mapped[str | None] = mapped_column(String(2000))
    external_refs: Mapped[dict[str, Any]] = mapped_column()
    meta: Mapped[dict[str, Any]] = mapped_column("metadata")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # Whole seconds from creation to closed_at, while closed.
    duration: Mapped[int | None] = mapped_column()
    # Set by an accepted override request.
    outcome: Mapped[str | None] = mapped_column(String(160))
    # Custom field values by key, as read; case_field_values holds the searchable copy.
    fields: Mapped[dict[str, Any]] = mapped_column()
    closure_conditions: Mapped[dict[str, Any]] = mapped_column()
    # First assignment or first comment by staff: where the response SLA stops.
    first_response_at: Mapped[datetime | None] = mapped_column()
    archived_at: Mapped[datetime | None] = mapped_column()
    archived_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    # Counts of the case's content, kept by the same UPDATE that bumps the version: no list is ever counted.
    comment_count: Mapped[int] = mapped_column(default=0)
    alert_count: Mapped[int] = mapped_column(default=0)
    insight_count: Mapped[int] = mapped_column(default=0)
    file_count: Mapped[int] = mapped_column(default=0)
    tasks_open: Mapped[int] = mapped_column(default=0)
    tasks_done: Mapped[int] = mapped_column(default=0)
    link_count: Mapped[int] = mapped_column(default=0)

    # Read with the case (a join and one batched query per page): the status's name, and the SLA clocks.
    # viewonly: services write status_id and the clocks with their own statements.
    current_status: Mapped["CaseStatus"] = relationship(lazy="joined", innerjoin=True, viewonly=True)
    sla_clocks: Mapped[list["CaseSla"]] = relationship(lazy="selectin", viewonly=True, order_by="CaseSla.sla_type")


class CaseTag(Base):
    __tablename__ = "case_tags"
    # Tag filters: EXISTS (tag, case) within a workspace.
    __table_args__ = (Index("ix_case_tags_ws_tag_case", "workspace_id", "tag", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(256), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))


class Tag(IdMixin, HandleMixin, Base):
    """The workspace's tag registry: every tag a case of the workspace has had, with a stable handle."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseAssignee(Base):
    __tablename__ = "case_assignees"
    # Assignee filters: EXISTS (user, case) within a workspace.
    __table_args__ = (Index("ix_case_assignees_ws_user_case", "workspace_id", "user_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
