import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, utcnow


class CaseAlert(IdMixin, Base):
    """One external alert attached to one case; an attach request of many alerts shares its attachment_id, and
    with it the attachment's rule, owner, version and creation and last change."""

    __tablename__ = "case_alerts"
    __table_args__ = (
        # One row per distinct alert per case: the 1,000-alert cap counts these.
        UniqueConstraint("case_id", "alert_id"),
        # Cases containing an alert id.
        Index("ix_case_alerts_ws_alert", "workspace_id", "alert_id"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    attachment_id: Mapped[uuid.UUID] = mapped_column()
    alert_id: Mapped[str] = mapped_column(String(512))
    index: Mapped[str] = mapped_column(String(512))
    rule_id: Mapped[str | None] = mapped_column(String(512))
    rule_name: Mapped[str | None] = mapped_column(String(512))
    owner: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # The attachment's version: 1 when attached, raised by one each time its alerts are replaced.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Null until the attachment's alerts are first replaced.
    updated_at: Mapped[datetime | None] = mapped_column()
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
