import hashlib
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db.base import Base, IdMixin, utcnow
from casework.db.handles import HandleMixin
from casework.workflow.case_values import NO_PRIORITY_RANK
from casework.workflow.statuses.models import GROUPS as STATUS_GROUPS

if TYPE_CHECKING:
    from casework.workflow.slas.models import CaseSla
    from casework.workflow.statuses.models import CaseStatus

# Sort keys of status and severity, kept beside the values they order: a status by its group in workflow order,
# a severity from low to critical.
SEVERITY_ORDER = ("low", "medium", "high", "critical")


def status_rank(group: str) -> int:
    return STATUS_GROUPS.index(group)


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity)


def metadata_digest(value: str) -> str:
    """What a metadata value is indexed by: values reach 10,000 characters, past what an index entry holds."""
    return hashlib.blake2b(value.encode(), digest_size=16).hexdigest()


class Case(IdMixin, Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        UniqueConstraint("workspace_id", "key"),
        # Default list: a workspace's live cases by status, newest update first.
        Index("ix_cases_ws_status_updated", "workspace_id", "status", "updated_at", "id"),
        # Lists sorted by update or creation without a status filter. archived_at rides along so that a numbered page
        # skips the cases before it within the index (the default list leaves archived cases out).
        Index("ix_cases_ws_updated", "workspace_id", "updated_at", "id", "archived_at"),
        Index("ix_cases_ws_created", "workspace_id", "created_at", "id", "archived_at"),
        # Lists sorted by priority.
        Index("ix_cases_ws_priority", "workspace_id", "priority_rank", "id"),
        # Cases by project.
        Index("ix_cases_project_updated", "project_id", "updated_at", "id"),
        # Lists filtered by named statuses (a status is per project, so a name may stand for several ids).
        Index("ix_cases_ws_status_id_updated", "workspace_id", "status_id", "updated_at", "id"),
        # Lists filtered by owner or by requester, newest update first.
        Index("ix_cases_ws_owner_updated", "workspace_id", "owner", "updated_at", "id"),
        Index("ix_cases_ws_requester_updated", "workspace_id", "requester_id", "updated_at", "id"),
        # Lists filtered or sorted by category (casework.cases.search reads the cases without one as a second range);
        # archived_at, as below.
        Index("ix_cases_ws_category", "workspace_id", "category", "id", "archived_at"),
        # GET /cases?sort=title|status|severity|closed: pages along each sort key (archived_at, as above).
        Index("ix_cases_ws_title", "workspace_id", "title", "id", "archived_at"),
        Index("ix_cases_ws_status_rank", "workspace_id", "status_rank", "id", "archived_at"),
        Index("ix_cases_ws_severity_rank", "workspace_id", "severity_rank", "id", "archived_at"),
        # sort=closed (each of its two runs: cases closed, in closed_at order, then the others by id) and the
        # closed_after/closed_before range.
        Index("ix_cases_ws_closed", "workspace_id", "closed_at", "id", "archived_at"),
        # author= and type= filters, newest update first; the distinct reporters of a workspace (GET /reporters).
        Index("ix_cases_ws_author_updated", "workspace_id", "author_id", "updated_at", "id"),
        Index("ix_cases_ws_type_updated", "workspace_id", "type", "updated_at", "id"),
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
    # status_rank(status) and severity_rank(severity), for sort=status and sort=severity.
    status_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    severity_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
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
    # Fields the vendor APIs carry. owner: the app or team the case belongs to, set at creation and never changed.
    owner: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(50))
    # When the case was opened and resolved by the client's account; opened_at is created_at unless given.
    opened_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    # requester.id, copied out of the requester JSON so that lists can filter on it.
    requester_id: Mapped[str | None] = mapped_column(String(64))
    # Key -> list of values, as read; case_attributes holds the searchable copy.
    attributes: Mapped[dict[str, Any]] = mapped_column()
    # Dialect name -> that dialect's own data, stored and returned as given, never read by the engine.
    vendor_data: Mapped[dict[str, Any]] = mapped_column()

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


class CaseAttribute(Base):
    __tablename__ = "case_attributes"
    # Attribute filters: EXISTS (key, value, case) within a workspace.
    __table_args__ = (Index("ix_case_attributes_ws_key_value_case", "workspace_id", "key", "value", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    value: Mapped[str] = mapped_column(String(256), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))


class CaseMetadata(Base):
    """The searchable copy of a case's metadata, one row per key, kept by the case service."""

    __tablename__ = "case_metadata"
    # metadata=KEY=VALUE filters: EXISTS (key, value) within a workspace.
    __table_args__ = (Index("ix_case_metadata_ws_key_value_case", "workspace_id", "key", "value_digest", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    value_digest: Mapped[str] = mapped_column(String(32))


# Columns of case_counts: live and archived cases of each status group.
STATUS_COUNT_COLUMNS = {(group, archived): f"{'archived_' if archived else ''}{group}" for archived in (False, True)
                 for group in STATUS_GROUPS}  # fmt: skip


class StatusCounters:
    """Live and archived cases of each status group (STATUS_COUNT_COLUMNS)."""

    open: Mapped[int] = mapped_column(Integer, default=0)
    in_progress: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    archived_open: Mapped[int] = mapped_column(Integer, default=0)
    archived_in_progress: Mapped[int] = mapped_column(Integer, default=0)
    archived_closed: Mapped[int] = mapped_column(Integer, default=0)


class CaseCount(StatusCounters, Base):
    """How many cases a project holds in each status group, live and archived, kept by the case service in the
    write's own transaction: the lists' status counts and totals read these instead of counting cases. A project's
    counts are spread over a few slots, each transaction writing one, so that concurrent writers (PostgreSQL) do not
    queue on one row; a read sums the slots."""

    __tablename__ = "case_counts"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    # Zero rows outlive the cases they counted: they go with their project.
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)


class AssigneeCaseCount(StatusCounters, Base):
    """The same counts per assignee and project ("my cases" views), kept alike: a case counts once for each of its
    assignees. The key leads with the user, so that one assignee's counts read as one index range."""

    __tablename__ = "assignee_case_counts"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
