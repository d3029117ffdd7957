"""Moving a case into another project of the workspace: POST /cases/{ref}/move.

What the case holds that belongs to its project is mapped onto the target's, or the move is refused (422)
naming everything that cannot map:
- status: the one asked for, else the target's status of the same name, else its default of the same group;
- type: the one asked for, else the same name (an active type of the target);
- custom field values: kept where the target has an active definition of the same key and type that takes the
  value; any other is refused, or dropped when the request says `drop_fields`.
The case gets a key of the target project (its workspace number stays; the old key no longer resolves, the id
does), its SLA clocks follow the target's policies, its version moves on and the log records the move.
"""

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from casework.activity import service as activity
from casework.auth.service import Actor
from casework.cases.closing import check_resolution
from casework.cases.counts import count_case
from casework.cases.models import Case, status_rank
from casework.cases.records import CaseRecord, case_record
from casework.cases.schemas import CaseMove
from casework.cases.service import check_version, ensure_live, find_case
from casework.db.base import utcnow
from casework.errors import FieldError, InvalidInput, detail_of
from casework.i18n import _
from casework.projects import numbering
from casework.projects.lookup import resolve_project
from casework.projects.models import Project
from casework.workflow.case_types.service import resolve_type
from casework.workflow.fields import service as fields
from casework.workflow.slas import service as slas
from casework.workflow.statuses.models import CaseStatus
from casework.workflow.statuses.service import project_statuses, resolve_status


def move_case(
    session: Session, actor: Actor, ref: str | uuid.UUID, data: CaseMove, expected_version: int | None = None
) -> CaseRecord:
    actor.require_case_write()
    versions = {v for v in (expected_version, data.version) if v is not None}
    if len(versions) > 1:
        raise InvalidInput.field("version", _("If-Match and version name different versions"))
    case = find_case(session, actor.workspace_id, ref, for_update=True)
    ensure_live(case)
    check_version(case, versions.pop() if versions else None)
    source = session.get_one(Project, case.project_id)
    target = resolve_project(session, actor.workspace_id, data.project)
    if target.id == source.id:
        raise InvalidInput.field("project", _("the case is already in project {key}", key=target.key))
    errors: list[FieldError] = []
    status = _mapped(errors, lambda: _target_status(session, case, target, data.status))
    type_name = _mapped(errors, lambda: resolve_type(session, target, data.type or case.type).name)
    kept, dropped = _mapped_fields(session, actor, case, source, target, type_name or case.type)
    if dropped and not data.drop_fields:
        errors.extend(dropped)
    if errors:
        raise InvalidInput(detail_of(errors), errors)
    assert status is not None and type_name is not None
    check_resolution(target, status, case.resolution)
    moved = _apply_move(session, actor, case, source, target, status, type_name, kept, [e.field for e in dropped])
    return case_record(moved)


def _mapped(errors: list[FieldError], resolve: Any) -> Any:
    try:
        return resolve()
    except InvalidInput as exc:
        errors.extend(exc.errors)
        return None


def _target_status(session: Session, case: Case, target: Project, asked: str | None) -> CaseStatus:
    statuses = project_statuses(session, target.id)
    if asked is not None:
        return resolve_status(statuses, asked)
    same_name = next((s for s in statuses if s.name.lower() == case.current_status.name.lower()), None)
    return same_name or resolve_status(statuses, case.status)


def _mapped_fields(
    session: Session, actor: Actor, case: Case, source: Project, target: Project, type_name: str
) -> tuple[dict[str, Any], list[FieldError]]:
    """The values the target project (and the case's type there) takes, and a reason for each one it does not."""
    definitions = fields.fields_of_case(session, target, type_name)
    source_types = {key: d.type for key, d in fields.fields_of_case(session, source, case.type).items()}
    kept: dict[str, Any] = {}
    refused: list[FieldError] = []
    for key, value in case.fields.items():
        name = f"fields.{key}"
        definition = definitions.get(key)
        if definition is None:
            refused.append(FieldError(name, _("project {project} has no field {key}", project=target.key, key=key)))
        elif definition.type != source_types.get(key):
            refused.append(
                FieldError(
                    name, _("the field {key} of project {project} is of another type", key=key, project=target.key)
                )
            )
        else:
            try:
                kept |= fields.case_field_values(session, actor, {key: definition}, {key: value}, {})
            except InvalidInput as exc:
                refused.extend(exc.errors)
    return kept, refused


def _apply_move(
    session: Session,
    actor: Actor,
    case: Case,
    source: Project,
    target: Project,
    status: CaseStatus,
    type_name: str,
    kept: dict[str, Any],
    dropped: list[str],
) -> Case:
    now = utcnow()
    key = f"{target.key}-{numbering.allocate_key(session, target.id)}"
    values: dict[str, Any] = {
        "project_id": target.id,
        "key": key,
        "status_id": status.id,
        "status": status.group,
        "status_category": status.category,
        "status_rank": status_rank(status.group),
        "type": type_name,
        "fields": kept,
        "updated_at": now,
        "updated_by": actor.author_id,
        "version": case.version + 1,
    }
    if status.group != case.status:
        closing = status.group == "closed"
        values["closed_at"] = now if closing else None
        values["closed_by"] = actor.author_id if closing else None
        values["duration"] = int((now - case.created_at).total_seconds()) if closing else None
    changes: dict[str, Any] = {"project": [source.key, target.key], "key": [case.key, key]}
    for field, old, new in (
        ("status_name", case.current_status.name, status.name),
        ("status", case.status, status.group),
        ("type", case.type, type_name),
        ("fields", case.fields, kept),
    ):
        if old != new:
            changes[field] = [old, new]
    if dropped:
        changes["dropped_fields"] = [dropped, None]
    # The case leaves the source project's status counts for the target's; find_case below refreshes `case` itself.
    archived = case.archived_at is not None
    count_case(session, case, (case.status, archived), None)
    session.execute(update(Case.__table__).where(Case.id == case.id).values(**values))
    fields.delete_for_case(session, case.id)
    fields.index_values(
        session, actor.workspace_id, case.id, fields.fields_of_case(session, target, type_name), {}, kept
    )
    moved = find_case(session, actor.workspace_id, case.id)
    count_case(session, moved, None, (moved.status, archived))
    slas.follow_project_move(session, moved, target, now)
    activity.record(session, actor, case.id, "moved", changes, now)
    return find_case(session, actor.workspace_id, case.id)
