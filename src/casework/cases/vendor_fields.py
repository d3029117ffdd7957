"""The rules of the case fields the vendor APIs carry (owner, opened/resolved times, attributes, vendor data), for the
case service: checked changes, the searchable copy of attributes, and what the activity log keeps."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, tuple_
from sqlalchemy.orm import Session

from casework.cases.models import Case, CaseAttribute
from casework.cases.schemas import check_vendor_data
from casework.errors import InvalidInput
from casework.i18n import _


def check_times(opened_at: datetime, resolved_at: datetime | None, field: str) -> None:
    """A case is never resolved before it opened; `field` is the one the error names (the one the client sent)."""
    if resolved_at is not None and resolved_at < opened_at:
        raise InvalidInput.field(field, _("resolved_at must not be before opened_at"))


def resolve_changes(case: Case, requested: dict[str, Any]) -> None:
    """Check the owner, times and vendor data a change asks for, and turn them, in place, into what the case will hold:
    times in UTC, and vendor_data with the named dialects replaced (a null one removed) and the others kept."""
    if requested.get("owner", case.owner) != case.owner:
        raise InvalidInput.field("owner", _("is set when the case is created and cannot change"))
    for field in ("opened_at", "resolved_at"):
        if requested.get(field) is not None:
            requested[field] = requested[field].astimezone(UTC)
    if "opened_at" in requested or "resolved_at" in requested:
        named = "resolved_at" if "resolved_at" in requested else "opened_at"
        check_times(requested.get("opened_at", case.opened_at), requested.get("resolved_at", case.resolved_at), named)
    if "vendor_data" in requested:
        merged = {**case.vendor_data, **requested["vendor_data"]}
        try:
            requested["vendor_data"] = check_vendor_data({d: data for d, data in merged.items() if data is not None})
        except ValueError as exc:
            raise InvalidInput.field("vendor_data", exc.args[0]) from None


def logged(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The changes as the activity log keeps them: of vendor_data, only the dialects whose data changed."""
    if "vendor_data" not in changes:
        return changes
    old, new = changes["vendor_data"]
    dialects = [d for d in {**old, **new} if old.get(d) != new.get(d)]
    return {**changes, "vendor_data": [{d: old.get(d) for d in dialects}, {d: new.get(d) for d in dialects}]}


def _pairs(attributes: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(key, value) for key, values in attributes.items() for value in values}


def index_attributes(
    session: Session, workspace_id: uuid.UUID, case_id: uuid.UUID, old: dict[str, list[str]], new: dict[str, list[str]]
) -> None:
    """Bring case_attributes, the searchable copy of the case's attributes, from old to new."""
    old_pairs, new_pairs = _pairs(old), _pairs(new)
    if old_pairs - new_pairs:
        session.execute(
            delete(CaseAttribute).where(
                CaseAttribute.case_id == case_id,
                tuple_(CaseAttribute.key, CaseAttribute.value).in_(sorted(old_pairs - new_pairs)),
            )
        )
    rows = [{"case_id": case_id, "key": k, "value": v, "workspace_id": workspace_id} for k, v in new_pairs - old_pairs]
    if rows:
        session.execute(insert(CaseAttribute.__table__), rows)


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The searchable copy of a case's attributes, as the case itself goes."""
    session.execute(delete(CaseAttribute.__table__).where(CaseAttribute.case_id == case_id))
