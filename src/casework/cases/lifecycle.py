"""Archiving and restoring a case, and deleting one for good (casework.deletion removes its content first,
package by package)."""

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from casework.activity import service as activity
from casework.auth.service import Actor
from casework.cases import vendor_fields
from casework.cases.counts import count_case
from casework.cases.models import Case, CaseAssignee, CaseMetadata, CaseTag
from casework.cases.records import CaseRecord, case_record
from casework.cases.service import UNVERSIONED_RETRIES, check_version, find_case
from casework.db.base import utcnow
from casework.db.statements import rows_affected
from casework.errors import Conflict, Forbidden, VersionConflict
from casework.i18n import _
from casework.projects.models import Project


def archive_case(session: Session, actor: Actor, ref: str, expected_version: int | None = None) -> CaseRecord:
    actor.require_case_admin()
    for _attempt in range(UNVERSIONED_RETRIES):
        case = find_case(session, actor.workspace_id, ref)
        check_version(case, expected_version)
        if case.archived_at is not None:
            return case_record(case)
        if (archived := _set_archived(session, actor, case, archived=True)) is not None:
            return case_record(archived)
        if expected_version is not None:
            current_version = session.scalar(select(Case.version).where(Case.id == case.id))
            raise VersionConflict(current=current_version or 0, given=expected_version)
    raise Conflict(_("the case is changing too fast; try again"))


def restore_case(session: Session, actor: Actor, ref: str) -> CaseRecord:
    actor.require_case_admin()
    for _attempt in range(UNVERSIONED_RETRIES):
        case = find_case(session, actor.workspace_id, ref)
        if case.archived_at is None:
            raise Conflict(_("case {key} is not archived", key=case.key))
        if (restored := _set_archived(session, actor, case, archived=False)) is not None:
            return case_record(restored)
    raise Conflict(_("the case is changing too fast; try again"))


def _set_archived(session: Session, actor: Actor, case: Case, archived: bool) -> Case | None:
    """One conditional UPDATE on (id, version): None if another writer got there first."""
    now = utcnow()
    written = rows_affected(
        session,
        update(Case)
        .where(Case.id == case.id, Case.version == case.version)
        .values(
            archived_at=now if archived else None,
            archived_by=actor.user_id if archived else None,
            updated_at=now,
            updated_by=actor.user_id,
            version=case.version + 1,
        )
        .execution_options(synchronize_session=False),
    )
    if written != 1:
        return None
    count_case(session, case, (case.status, not archived), (case.status, archived))
    change = [case.archived_at, now if archived else None]
    activity.record(session, actor, case.id, "archived" if archived else "restored", {"archived_at": change}, now)
    return find_case(session, actor.workspace_id, case.id)


def lock_for_deletion(
    session: Session, actor: Actor, ref: str | uuid.UUID, expected_version: int | None = None
) -> Case:
    """The case, locked, if the actor may delete it for good: admins always, managers where the project allows."""
    actor.require_case_admin()
    case = find_case(session, actor.workspace_id, ref, for_update=True)
    check_version(case, expected_version)
    if actor.role != "admin":
        project = session.get_one(Project, case.project_id)
        if not project.managers_may_delete:
            raise Forbidden(_("only admins delete cases of project {key} for good", key=project.key))
    return case


def delete_case_row(session: Session, actor: Actor, case: Case) -> None:
    """The case's own rows, once its content is gone; the entry recording the deletion stays in the log."""
    session.execute(delete(CaseTag.__table__).where(CaseTag.case_id == case.id))
    session.execute(delete(CaseAssignee.__table__).where(CaseAssignee.case_id == case.id))
    session.execute(delete(CaseMetadata.__table__).where(CaseMetadata.case_id == case.id))
    vendor_fields.delete_for_case(session, case.id)
    count_case(session, case, (case.status, case.archived_at is not None), None)
    session.execute(delete(Case.__table__).where(Case.id == case.id))
    project = session.get_one(Project, case.project_id)
    gone = {"key": [case.key, None], "title": [case.title, None], "project": [project.key, None]}
    activity.record(session, actor, case.id, "case_deleted", gone)
