"""A project's statuses: seeding, resolving a status named by id, name or group, the transition rule, and the
configuration of both.

Each group always has exactly one default status (what the group's name stands for); a status some case holds
keeps its group and category (cases hold copies of them) and is not deleted. Writers lock the project row, so
two of them never leave a group with two defaults or two statuses of one name.
"""

import uuid

from sqlalchemy import Uuid, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.db.base import new_id, utcnow
from casework.db.handles import as_handle
from casework.errors import Conflict, InvalidInput, LimitExceeded, NotFound
from casework.i18n import _
from casework.projects import lookup as projects
from casework.projects.configuration import cached
from casework.projects.models import Project
from casework.workflow.statuses.defaults import DEFAULT_STATUSES
from casework.workflow.statuses.models import GROUPS, CaseStatus, StatusTransition
from casework.workflow.statuses.schemas import (
    CLOSED_CATEGORIES,
    MAX_STATUSES_PER_PROJECT,
    StatusCreate,
    StatusUpdate,
    TransitionsUpdate,
)


def seed_project(session: Session, project: Project) -> None:
    """The default statuses of a new project."""
    now = utcnow()
    session.execute(
        insert(CaseStatus.__table__),
        [
            {
                "id": new_id(),
                "workspace_id": project.workspace_id,
                "project_id": project.id,
                "name": status.name,
                "colour": status.colour,
                "position": position,
                "group": status.group,
                "category": status.category,
                "is_default": status.is_default,
                "builtin_key": status.key,
                "created_at": now,
                "updated_at": now,
            }
            for position, status in enumerate(DEFAULT_STATUSES)
        ],
    )


def project_statuses(session: Session, project_id: uuid.UUID) -> list[CaseStatus]:
    return cached(
        session,
        (_PROJECT_STATUSES, project_id),
        lambda: session.scalars(_PROJECT_STATUSES, {"project_id": project_id}).all(),
    )


# Built once: a statement's cache key is worked out again for every new statement object (every create reads it).
_PROJECT_STATUSES = (
    select(CaseStatus)
    .where(CaseStatus.project_id == bindparam("project_id", type_=Uuid()))
    .order_by(CaseStatus.position, CaseStatus.id)
)


def project_status(session: Session, project_id: uuid.UUID, ref: str) -> CaseStatus:
    """The status of the project that ref names (as resolve_status reads it), remembered per process like the
    project's statuses: a unit of work then gets its own copy of that one status, not of every status of the
    project (a create spent ~11% of its instructions copying the six it did not use)."""
    found = cached(
        session,
        (_PROJECT_STATUS, project_id, ref),
        lambda: [resolve_status(project_statuses(session, project_id), ref)],
    )
    return found[0]


_PROJECT_STATUS = "the project's status named"


def resolve_status(statuses: list[CaseStatus], ref: str, field: str = "status") -> CaseStatus:
    """The status a client names by its id, by its handle, by a group (that group's default status) or by its name
    (any case)."""
    by_handle = _by_handle(statuses, ref)
    try:
        wanted_id = uuid.UUID(ref)
    except ValueError:
        wanted_id = None
    found: CaseStatus | None
    if by_handle is not None:
        found = by_handle
    elif wanted_id is not None:
        found = next((s for s in statuses if s.id == wanted_id), None)
    elif ref.lower() in GROUPS:
        found = next((s for s in statuses if s.group == ref.lower() and s.is_default), None)
    else:
        found = next((s for s in statuses if s.name.lower() == ref.lower()), None)
    if found is None:
        names = ", ".join(s.name for s in statuses)
        raise InvalidInput.field(field, _("unknown status {ref}; one of {names}, or a group", ref=ref, names=names))
    return found


def check_transition(session: Session, project: Project, current: CaseStatus, target: CaseStatus) -> None:
    """Refuses a move the project does not allow (only when it restricts transitions)."""
    if not project.restrict_transitions or current.id == target.id:
        return
    allowed = session.scalar(
        select(StatusTransition.to_status_id).where(
            StatusTransition.from_status_id == current.id, StatusTransition.to_status_id == target.id
        )
    )
    if allowed is None:
        raise Conflict(
            _("the project does not allow moving from {current} to {target}", current=current.name, target=target.name)
        )


# Configuring statuses


def list_statuses(session: Session, actor: Actor, project_ref: str) -> list[CaseStatus]:
    actor.require_case_read()
    return project_statuses(session, projects.resolve_project(session, actor.workspace_id, project_ref).id)


def get_status(session: Session, actor: Actor, project_ref: str, status_ref: str) -> CaseStatus:
    actor.require_case_read()
    project = projects.resolve_project(session, actor.workspace_id, project_ref)
    return find_status(project_statuses(session, project.id), status_ref)


def create_status(session: Session, actor: Actor, project_ref: str, data: StatusCreate) -> CaseStatus:
    actor.require_case_admin()
    project = projects.resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    statuses = project_statuses(session, project.id)
    if len(statuses) >= MAX_STATUSES_PER_PROJECT:
        raise LimitExceeded("name", MAX_STATUSES_PER_PROJECT, "statuses per project")
    _check_pairing(data.group, data.category, "category")
    _check_name_free(statuses, data.name, None)
    # A group without a default (never the case once seeded) takes its first status as one.
    is_default = data.is_default or not any(s.group == data.group and s.is_default for s in statuses)
    if is_default:
        _clear_default(session, project.id, data.group)
    now = utcnow()
    status = CaseStatus(
        workspace_id=project.workspace_id,
        project_id=project.id,
        name=data.name,
        colour=data.colour,
        position=data.position if data.position is not None else max((s.position for s in statuses), default=-1) + 1,
        group=data.group,
        category=data.category,
        is_default=is_default,
        builtin_key=None,
        created_at=now,
        updated_at=now,
    )
    session.add(status)
    session.flush()
    return status


def update_status(
    session: Session, actor: Actor, project_ref: str, status_ref: str, data: StatusUpdate, *, cases_holding: int
) -> CaseStatus:
    """`cases_holding`: the cases in the status, counted when the change moves its group or category (0 otherwise):
    entry points call casework.cases.configuration.update_status, which counts them."""
    actor.require_case_admin()
    project = projects.resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    statuses = project_statuses(session, project.id)
    status = find_status(statuses, status_ref)
    group = data.group or status.group
    category = data.category or status.category
    _check_pairing(group, category, "category" if data.category is not None else "group")
    if data.name is not None and data.name != status.name:
        _check_name_free(statuses, data.name, status.id)
    if (group, category) != (status.group, status.category) and cases_holding:
        raise Conflict(
            _(
                "the status {name} is used by {count} cases; its group and category cannot change",
                name=status.name,
                count=cases_holding,
            )
        )
    if status.is_default and (data.is_default is False or group != status.group):
        raise Conflict(
            _("the status {name} is the default of its group; make another status the default first", name=status.name)
        )
    if data.is_default and not (status.is_default and group == status.group):
        _clear_default(session, project.id, group)
        status.is_default = True
    for field in ("name", "colour", "position"):
        value = getattr(data, field)
        if value is not None:
            setattr(status, field, value)
    status.group, status.category = group, category
    status.updated_at = utcnow()
    session.flush()
    return status


def delete_status(session: Session, actor: Actor, project_ref: str, status_ref: str, *, cases_holding: int) -> None:
    """Deletes a status no case holds (`cases_holding` of them do: entry points call
    casework.cases.configuration.delete_status, which counts them), with the transitions from and to it."""
    actor.require_case_admin()
    project = projects.resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    status = find_status(project_statuses(session, project.id), status_ref)
    if status.is_default:
        raise Conflict(
            _("the status {name} is the default of its group; make another status the default first", name=status.name)
        )
    if cases_holding:
        raise Conflict(
            _("the status {name} is used by {count} cases and cannot be deleted", name=status.name, count=cases_holding)
        )
    session.execute(
        delete(StatusTransition).where(
            or_(StatusTransition.from_status_id == status.id, StatusTransition.to_status_id == status.id)
        )
    )
    session.execute(delete(CaseStatus).where(CaseStatus.id == status.id))


def _by_handle(statuses: list[CaseStatus], ref: str) -> CaseStatus | None:
    """The status whose handle ref is; a status named with digits only is still found by its name otherwise."""
    number = as_handle(ref)
    return None if number is None else next((s for s in statuses if s.number == number), None)


def find_status(statuses: list[CaseStatus], ref: str) -> CaseStatus:
    """A status of the project by id, by handle or by name (any case)."""
    found = _by_handle(statuses, ref)
    if found is not None:
        return found
    try:
        wanted = uuid.UUID(ref)
        found = next((s for s in statuses if s.id == wanted), None)
    except ValueError:
        found = next((s for s in statuses if s.name.lower() == ref.lower()), None)
    if found is None:
        raise NotFound("status", ref)
    return found


def _check_pairing(group: str, category: str, field: str) -> None:
    if (group == "closed") != (category in CLOSED_CATEGORIES):
        raise InvalidInput.field(
            field, _("a status is in the closed group exactly when its category is resolved or closed")
        )


def _check_name_free(statuses: list[CaseStatus], name: str, own_id: uuid.UUID | None) -> None:
    taken = next((s for s in statuses if s.name.lower() == name.lower() and s.id != own_id), None)
    if taken is not None:
        raise Conflict(_("the project already has a status named {name}", name=taken.name))


def _clear_default(session: Session, project_id: uuid.UUID, group: str) -> None:
    session.execute(
        update(CaseStatus)
        .where(CaseStatus.project_id == project_id, CaseStatus.group == group, CaseStatus.is_default.is_(True))
        .values(is_default=False, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


# Transitions


def get_transitions(
    session: Session, actor: Actor, project_ref: str
) -> tuple[bool, list[StatusTransition], list[CaseStatus]]:
    """Whether the project restricts moves, its allowed moves (in status order) and its statuses."""
    actor.require_case_read()
    project = projects.resolve_project(session, actor.workspace_id, project_ref)
    return _transitions(session, project)


def set_transitions(
    session: Session, actor: Actor, project_ref: str, data: TransitionsUpdate
) -> tuple[bool, list[StatusTransition], list[CaseStatus]]:
    """Replaces the project's allowed moves; each status is named by id, name or group."""
    actor.require_case_admin()
    project = projects.resolve_project(session, actor.workspace_id, project_ref, for_update=True)
    statuses = project_statuses(session, project.id)
    pairs: dict[tuple[uuid.UUID, uuid.UUID], None] = {}
    for index, transition in enumerate(data.transitions):
        source = resolve_status(statuses, transition.from_, f"transitions.{index}.from")
        target = resolve_status(statuses, transition.to, f"transitions.{index}.to")
        if source.id == target.id:
            raise InvalidInput.field(f"transitions.{index}.to", _("a transition leads to another status"))
        if (source.id, target.id) in pairs:
            raise InvalidInput.field(f"transitions.{index}", _("repeats an earlier transition"))
        pairs[(source.id, target.id)] = None
    session.execute(delete(StatusTransition).where(StatusTransition.project_id == project.id))
    if pairs:
        session.execute(
            insert(StatusTransition.__table__),
            [{"from_status_id": a, "to_status_id": b, "project_id": project.id} for a, b in pairs],
        )
    return _transitions(session, project)


def _transitions(session: Session, project: Project) -> tuple[bool, list[StatusTransition], list[CaseStatus]]:
    statuses = project_statuses(session, project.id)
    rank = {status.id: index for index, status in enumerate(statuses)}
    rows = session.scalars(select(StatusTransition).where(StatusTransition.project_id == project.id))
    ordered = sorted(rows, key=lambda t: (rank[t.from_status_id], rank[t.to_status_id]))
    return project.restrict_transitions, ordered, statuses


def delete_for_project(session: Session, project_id: uuid.UUID) -> None:
    """A deleted project's statuses, the transitions that join them first."""
    for table in (StatusTransition, CaseStatus):
        session.execute(delete(table).where(table.project_id == project_id))
