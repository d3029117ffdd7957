"""POST /cases/bulk: item by item (each refusal leaves the others applied), or atomic: every item applies, or none
does.

In the atomic mode, before anything is written, every item is parsed and its case found and its version checked,
so that the answer names every missing case and every stale version, not just the first (what Kibana's PATCH
/api/cases reports).
Only when all pass are the items applied, each in a savepoint of one enclosing savepoint, so that a later refusal
(a transition, a closure condition, ...) is still reported item by item; any refusal rolls the enclosing savepoint
back, and the other items are reported as not applied.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.records import CaseRecord
from casework.cases.schemas import CaseUpdate
from casework.cases.service import find_case, update_case
from casework.errors import DomainError, InvalidInput, NotApplied, NotFound, VersionConflict, from_validation_error
from casework.i18n import _


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    ref: str
    case: CaseRecord | None = None
    error: DomainError | None = None


def bulk_update(
    session: Session, actor: Actor, items: list[tuple[str, int | None, dict[str, Any]]]
) -> list[BulkOutcome]:
    """Each item in its own savepoint: one refused item leaves the others applied."""
    actor.require_case_write()
    outcomes = []
    for ref, version, raw_changes in items:
        try:
            changes = CaseUpdate.model_validate(raw_changes)
        except ValidationError as exc:
            outcomes.append(BulkOutcome(ref, error=from_validation_error(exc, prefix="changes")))
            continue
        try:
            with session.begin_nested():
                case = update_case(session, actor, ref, changes, version)
            outcomes.append(BulkOutcome(ref, case=case))
        except DomainError as exc:
            outcomes.append(BulkOutcome(ref, error=exc))
    return outcomes


@dataclass(frozen=True, slots=True)
class AtomicOutcome:
    applied: bool
    items: list[BulkOutcome]

    @property
    def missing(self) -> list[str]:
        """The refs of every item whose case was not found."""
        return [item.ref for item in self.items if isinstance(item.error, NotFound)]

    @property
    def stale(self) -> list[str]:
        """The refs of every item whose version was not current."""
        return [item.ref for item in self.items if isinstance(item.error, VersionConflict)]


def bulk_update_atomic(
    session: Session, actor: Actor, items: list[tuple[str, int | None, dict[str, Any]]]
) -> AtomicOutcome:
    actor.require_case_write()
    errors: dict[int, DomainError] = {}
    parsed: list[CaseUpdate | None] = []
    for index, (_ref, _version, raw_changes) in enumerate(items):
        try:
            parsed.append(CaseUpdate.model_validate(raw_changes))
        except ValidationError as exc:
            parsed.append(None)
            errors[index] = from_validation_error(exc, prefix="changes")
    _check_cases(session, actor, items, errors)
    if errors:
        return _refused(items, errors)
    outcomes: list[BulkOutcome] = []
    enclosing = session.begin_nested()
    for index, (ref, version, _raw) in enumerate(items):
        changes = parsed[index]
        assert changes is not None
        try:
            with session.begin_nested():
                outcomes.append(BulkOutcome(ref, case=update_case(session, actor, ref, changes, version)))
        except DomainError as exc:
            errors[index] = exc
    if errors:
        enclosing.rollback()
        return _refused(items, errors)
    enclosing.commit()
    return AtomicOutcome(True, outcomes)


def _check_cases(
    session: Session, actor: Actor, items: list[tuple[str, int | None, dict[str, Any]]], errors: dict[int, DomainError]
) -> None:
    """Every missing case and stale version, and a case named twice (its second item would always be stale)."""
    first_item: dict[uuid.UUID, int] = {}
    for index, (ref, version, _raw) in enumerate(items):
        try:
            case = find_case(session, actor.workspace_id, ref)
        except NotFound as exc:
            errors.setdefault(index, exc)
            continue
        if version is not None and version != case.version:
            errors.setdefault(index, VersionConflict(current=case.version, given=version))
        elif case.id in first_item:
            errors.setdefault(
                index, InvalidInput.field("id", _("the case is named by item {n} too", n=str(first_item[case.id] + 1)))
            )
        first_item.setdefault(case.id, index)


def _refused(items: list[tuple[str, int | None, dict[str, Any]]], errors: dict[int, DomainError]) -> AtomicOutcome:
    return AtomicOutcome(
        False, [BulkOutcome(ref, error=errors.get(i, NotApplied())) for i, (ref, *_rest) in enumerate(items)]
    )
