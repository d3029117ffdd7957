import uuid
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import Double, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.base import Base, IdMixin, JSONType, utcnow
from casework.db.handles import HandleMixin

FieldType = Literal[
    "text",
    "long_text",
    "number",
    "decimal",
    "boolean",
    "toggle",
    "date",
    "datetime",
    "url",
    "select",
    "multi_select",
    "dependent_select",
    "user",
]
FIELD_TYPES: tuple[FieldType, ...] = get_args(FieldType)
MAX_DESCRIPTION = 1000
# Who defined a field: Kibana's custom fields allow at most 10 values per case.
OWNERS = ("casework", "kibana")
# Types whose fields may hold a list of values (is_multi), and those whose values a pattern may constrain.
MULTI_TYPES = frozenset({"text", "url", "number", "decimal"})
PATTERN_TYPES = frozenset({"text", "long_text", "url"})


class FieldDefinition(IdMixin, HandleMixin, Base):
    """A custom field of one project, or (project NULL) of one case type: a case sees the fields of its project and
    those of its type."""

    __tablename__ = "field_definitions"
    __table_args__ = (UniqueConstraint("project_id", "key"), UniqueConstraint("case_type_id", "key"))

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("projects.id"))
    case_type_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_types.id"))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(String(MAX_DESCRIPTION))
    type: Mapped[str] = mapped_column(String(20))
    is_multi: Mapped[bool] = mapped_column(default=False)
    # Must hold a value on every write of a case (a default fills it at creation).
    required: Mapped[bool] = mapped_column(default=False)
    required_to_close: Mapped[bool] = mapped_column(default=False)
    # An RE2 expression every text value must match as a whole.
    pattern: Mapped[str | None] = mapped_column(String(500))
    # select / multi_select: [{id, label}]; dependent_select: the same with nested "children".
    options: Mapped[list[dict[str, Any]]] = mapped_column()
    # Any JSON value, in the stored form of the field's type.
    default_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    owner: Mapped[str] = mapped_column(String(16), default="casework")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseFieldValue(Base):
    """The searchable copy of a case's field values (cases.fields holds what is read): one row per value, several
    for a multi-select. Text-like values sort by text_value, numbers, booleans and decimals by number_value."""

    __tablename__ = "case_field_values"
    __table_args__ = (
        # Filter or sort a workspace's cases by one field: (field, value) then the case, for keyset pages.
        Index("ix_case_field_values_field_text", "field_id", "text_value", "case_id"),
        Index("ix_case_field_values_field_number", "field_id", "number_value", "case_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    field_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("field_definitions.id"), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id"))
    text_value: Mapped[str | None] = mapped_column(String(2048))
    number_value: Mapped[float | None] = mapped_column(Double)
