"""POST /cases/bulk: item by item (each refusal leaves the others applied), or atomic: every item applies, or none
does.

In the atomic mode, before anything is written, every item is parsed and its case found and its version checked,
so that the answer names every missing case and every stale version, not just the first (what Kibana's PATCH
/api/cases reports). Then every item is checked against the rules of a change (a transition, a closure condition,
...), still item by item, and only when all pass is anything written.

Both modes find and lock every named case in one statement, check each item's change (the rules read only the case
and the configuration) and write the changes together: one UPDATE per set of columns changed and one insert of
their activity entries, then one read of the columns changed and one of the SLA clocks. A hundred items cost a
few statements, not hundreds, and a refused item has written nothing, so needs no savepoint.
"""

import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.models import Case
from casework.cases.records import CaseRecord, case_record
from casework.cases.schemas import CaseUpdate
from casework.cases.service import CheckedChange, check_locked_change, find_cases, write_locked_changes
from casework.errors import DomainError, InvalidInput, NotApplied, NotFound, VersionConflict, from_validation_error
from casework.i18n import _
from casework.projects.models import Project
from casework.workflow.slas import service as slas

Items = list[tuple[str, int | None, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    ref: str
    case: CaseRecord | None = None
    error: DomainError | None = None


def bulk_update(session: Session, actor: Actor, items: Items) -> list[BulkOutcome]:
    """Each item on its own: one refused item leaves the others applied."""
    actor.require_case_write()
    batch = _Batch(session, actor, items)
    with batch.clocks_locked():
        for index, (ref, version, raw_changes) in enumerate(items):
            try:
                changes = CaseUpdate.model_validate(raw_changes)
            except ValidationError as exc:
                batch.errors[index] = from_validation_error(exc, prefix="changes")
                continue
            try:
                batch.check(index, batch.case(ref), changes, version)
            except DomainError as exc:
                batch.errors[index] = exc
        batch.write()
    return batch.outcomes()


class _Batch:
    """A bulk update's cases, found and locked in one statement, and its checked changes, written together (before
    an item that names a case again: it is checked against the case its earlier item left)."""

    def __init__(self, session: Session, actor: Actor, items: Items) -> None:
        self.session, self.actor, self.items = session, actor, items
        self.cases = find_cases(session, actor.workspace_id, [ref for ref, _version, _raw in items], for_update=True)
        # Held for the batch: the session keeps only weak references, and each item would read its project again.
        self._projects = {
            project.id: project
            for project in session.scalars(
                select(Project).where(Project.id.in_({case.project_id for case in self.cases.values()}))
            )
        }
        self.errors: dict[int, DomainError] = {}
        self._checked: dict[int, CheckedChange] = {}
        self._checked_cases: set[uuid.UUID] = set()
        self._records: dict[int, CaseRecord] = {}

    def clocks_locked(self) -> AbstractContextManager[None]:
        """The cases' SLA clocks read together, for the changes that move them (a priority, a status)."""
        return slas.clocks_locked(self.session, [case.id for case in self.cases.values()])

    def case(self, ref: str) -> Case:
        case = self.cases.get(ref)
        if case is None:
            raise NotFound("case", ref)
        return case

    def check(self, index: int, case: Case, changes: CaseUpdate, version: int | None) -> None:
        """Check the item's change, to be written with the others; an item that changes nothing answers the case."""
        if case.id in self._checked_cases:
            self.write()
        checked = check_locked_change(self.session, self.actor, case, self._projects[case.project_id], changes, version)
        if checked is None:
            self._records[index] = case_record(case)
        else:
            self._checked[index] = checked
            self._checked_cases.add(case.id)

    def write(self) -> None:
        """Write the checked changes; each item answers its case as written."""
        if not self._checked:
            return
        write_locked_changes(self.session, self.actor, list(self._checked.values()))
        self._records.update((index, case_record(checked.case)) for index, checked in self._checked.items())
        self._checked.clear()
        self._checked_cases.clear()

    def outcomes(self) -> list[BulkOutcome]:
        assert not self._checked, "checked changes left unwritten"
        return [
            BulkOutcome(ref, case=self._records.get(index), error=self.errors.get(index))
            for index, (ref, _version, _raw) in enumerate(self.items)
        ]


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


def bulk_update_atomic(session: Session, actor: Actor, items: Items) -> AtomicOutcome:
    actor.require_case_write()
    batch = _Batch(session, actor, items)
    parsed: list[CaseUpdate | None] = []
    for index, (_ref, _version, raw_changes) in enumerate(items):
        try:
            parsed.append(CaseUpdate.model_validate(raw_changes))
        except ValidationError as exc:
            parsed.append(None)
            batch.errors[index] = from_validation_error(exc, prefix="changes")
    _check_cases(batch)
    if batch.errors:
        return _refused(items, batch.errors)
    for index, (ref, version, _raw) in enumerate(items):
        changes = parsed[index]
        assert changes is not None
        try:
            batch.check(index, batch.case(ref), changes, version)
        except DomainError as exc:
            batch.errors[index] = exc
    if batch.errors:
        return _refused(items, batch.errors)
    with batch.clocks_locked():
        batch.write()
    return AtomicOutcome(True, batch.outcomes())


def _check_cases(batch: _Batch) -> None:
    """Every missing case and stale version, and a case named twice (its second item would always be stale)."""
    first_item: dict[uuid.UUID, int] = {}
    for index, (ref, version, _raw) in enumerate(batch.items):
        try:
            case = batch.case(ref)
        except NotFound as exc:
            batch.errors.setdefault(index, exc)
            continue
        if version is not None and version != case.version:
            batch.errors.setdefault(index, VersionConflict(current=case.version, given=version))
        elif case.id in first_item:
            batch.errors.setdefault(
                index, InvalidInput.field("id", _("the case is named by item {n} too", n=str(first_item[case.id] + 1)))
            )
        first_item.setdefault(case.id, index)


def _refused(items: Items, errors: dict[int, DomainError]) -> AtomicOutcome:
    return AtomicOutcome(
        False, [BulkOutcome(ref, error=errors.get(i, NotApplied())) for i, (ref, *_rest) in enumerate(items)]
    )
