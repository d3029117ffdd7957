"""Filtering and sorting case lists by custom field values, on the searchable copy (case_field_values).

A filter is `KEY OP VALUE` with OP one of `= != > >= < <=`. `=` on a multi_select or a multi-valued (is_multi) field
means "has that value", on a dependent_select "the path starts with" (VALUE a path of option ids joined by "/"), and
the order operators "has a value that compares so". `!=` means "has a value, and not that one". Each filter is
`cases.id IN (SELECT case_id FROM case_field_values WHERE field_id IN (...) AND value OP ...)`: the (field_id, value)
indexes serve it. A key names the field cases of the project see (the project's or one of its case types') when the
list is for one project, else every field with that key in the workspace (they must share a type).
"""

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_, select
from sqlalchemy.orm import Session, aliased

from casework.errors import InvalidInput
from casework.i18n import _
from casework.workflow.case_types import lookup
from casework.workflow.case_types.models import CaseType
from casework.workflow.fields import values
from casework.workflow.fields.models import CaseFieldValue, FieldDefinition
from casework.workflow.fields.schemas import FIELD_KEY

FIELD_SORT_PREFIX = "field."
# No operator character may appear in a key, so the first one ends it.
_FILTER = re.compile(rf"^({FIELD_KEY})(!=|>=|<=|=|>|<)(.*)$", re.DOTALL)
_COMPARE = {
    "=": lambda column, operand: column == operand,
    "!=": lambda column, operand: column != operand,
    ">": lambda column, operand: column > operand,
    ">=": lambda column, operand: column >= operand,
    "<": lambda column, operand: column < operand,
    "<=": lambda column, operand: column <= operand,
}


@dataclass(frozen=True, slots=True)
class Resolved:
    key: str
    type: str
    definitions: list[FieldDefinition]

    @property
    def ids(self) -> list[uuid.UUID]:
        return [definition.id for definition in self.definitions]

    @property
    def numeric(self) -> bool:
        return self.type in values.NUMERIC_TYPES

    @property
    def multi_row(self) -> bool:
        """Several rows per case: one per value or path prefix."""
        return self.type in values.MULTI_ROW_TYPES or any(definition.is_multi for definition in self.definitions)


def resolve(session: Session, workspace_id: uuid.UUID, project_id: uuid.UUID | None, key: str, param: str) -> Resolved:
    """The field(s) a key names in a list query; an unknown key or one with several types is refused naming `param`."""
    query = select(FieldDefinition).where(FieldDefinition.workspace_id == workspace_id, FieldDefinition.key == key)
    if project_id is not None:
        visible_types = select(CaseType.id).where(CaseType.workspace_id == workspace_id, lookup.visible_to(project_id))
        query = query.where(
            or_(FieldDefinition.project_id == project_id, FieldDefinition.case_type_id.in_(visible_types))
        )
    definitions = list(session.scalars(query))
    if not definitions:
        raise InvalidInput.field(param, _("unknown field {key}", key=key))
    types = sorted({definition.type for definition in definitions})
    if len(types) > 1:
        names = ", ".join(types)
        message = _("the field {key} has several types ({types}) across projects; add project=", key=key, types=names)
        raise InvalidInput.field(param, message)
    return Resolved(key, types[0], definitions)


def filter_conditions(
    session: Session,
    workspace_id: uuid.UUID,
    project_id: uuid.UUID | None,
    expressions: list[str],
    case_id: SQLColumnExpression[uuid.UUID],
) -> list[ColumnElement[bool]]:
    """One condition on `case_id` (the listing's case id column) per expression."""
    return [_condition(session, workspace_id, project_id, expression, case_id) for expression in expressions]


def _condition(
    session: Session,
    workspace_id: uuid.UUID,
    project_id: uuid.UUID | None,
    expression: str,
    case_id: SQLColumnExpression[uuid.UUID],
) -> ColumnElement[bool]:
    match = _FILTER.match(expression)
    if match is None:
        message = _(
            "expected KEY OPERATOR VALUE, the operator among = != > >= < <=; got {expression}", expression=expression
        )
        raise InvalidInput.field("field", message)
    key, operator, raw = match.groups()
    field = resolve(session, workspace_id, project_id, key, "field")
    if operator not in ("=", "!=") and field.type not in values.ORDERED_TYPES:
        raise InvalidInput.field(
            "field", _("a {type} field takes only = and != (field {key})", type=field.type, key=key)
        )
    try:
        operand = values.filter_operand(field.type, [d.options for d in field.definitions], raw)
    except values.Refused as exc:
        raise InvalidInput.field("field", _("field {key}: {reason}", key=key, reason=exc.message)) from None
    column = CaseFieldValue.number_value if field.numeric else CaseFieldValue.text_value
    if operator == "!=" and field.multi_row:
        # One row per option or path prefix: "has a value" and "no row equals the operand".
        return and_(case_id.in_(_case_ids(field)), case_id.not_in(_case_ids(field, column == operand)))
    return case_id.in_(_case_ids(field, _COMPARE[operator](column, operand)))


def _case_ids(field: Resolved, condition: ColumnElement[bool] | None = None) -> Any:
    query = select(CaseFieldValue.case_id).where(CaseFieldValue.field_id.in_(field.ids))
    return query.where(condition) if condition is not None else query


@dataclass(frozen=True, slots=True)
class SortValue:
    """What a list sorted by a field joins (at most one row per case: the value at position 0) and orders on."""

    target: Any
    onclause: ColumnElement[bool]
    column: Any
    numeric: bool


def sort_value(
    session: Session,
    workspace_id: uuid.UUID,
    project_id: uuid.UUID | None,
    sort: str,
    case_id: SQLColumnExpression[uuid.UUID],
) -> SortValue:
    """The value `sort` names, joined on `case_id` (the listing's case id column)."""
    key = sort.removeprefix(FIELD_SORT_PREFIX)
    field = resolve(session, workspace_id, project_id, key, "sort")
    if field.type == "multi_select" or any(definition.is_multi for definition in field.definitions):
        raise InvalidInput.field("sort", _("a field holding several values cannot be sorted on (field {key})", key=key))
    value = aliased(CaseFieldValue)
    onclause = and_(value.case_id == case_id, value.field_id.in_(field.ids), value.position == 0)
    column = value.number_value if field.numeric else value.text_value
    return SortValue(value, onclause, column, field.numeric)


def cursor_value(sort: SortValue, raw: Any) -> float | str | None:
    """The field value a cursor holds; ValueError/TypeError unless it is one this server could issue."""
    if raw is None:
        return None
    if sort.numeric:
        if type(raw) not in (int, float) or raw != raw or raw in (float("inf"), float("-inf")):
            raise TypeError(raw)
        return float(raw)
    if not isinstance(raw, str) or "\x00" in raw:
        raise TypeError(raw)
    return raw
