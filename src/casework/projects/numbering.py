"""Case numbers (per workspace) and keys (per project), unique and increasing under concurrent creates.

On PostgreSQL each workspace and project has its own sequence: nextval never waits on another
transaction, so creates do not queue behind a counter row lock; a failed create leaves a gap.
SQLite has one writer at a time, so a counter column bumped in the create's transaction suffices.
"""

import uuid

from sqlalchemy import Connection, String, Table, Uuid, bindparam, select, text, update
from sqlalchemy.orm import Session

from casework.db.plain import PlainStatement
from casework.projects.models import Project, Workspace


def _workspace_sequence(workspace_id: uuid.UUID) -> str:
    return f"case_number_{workspace_id.hex}"


def _project_sequence(project_id: uuid.UUID) -> str:
    return f"case_key_{project_id.hex}"


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def create_workspace_sequence(session: Session, workspace_id: uuid.UUID) -> None:
    if _is_postgres(session):
        session.execute(text(f"CREATE SEQUENCE {_workspace_sequence(workspace_id)}"))


def create_project_sequence(session: Session, project_id: uuid.UUID) -> None:
    if _is_postgres(session):
        session.execute(text(f"CREATE SEQUENCE {_project_sequence(project_id)}"))


def drop_project_sequence(session: Session, project_id: uuid.UUID) -> None:
    if _is_postgres(session):
        session.execute(text(f"DROP SEQUENCE IF EXISTS {_project_sequence(project_id)}"))


def allocate(session: Session, workspace_id: uuid.UUID, project_id: uuid.UUID) -> tuple[int, int]:
    """The next (case number, project key number)."""
    if _is_postgres(session):
        sequences = {"ws": _workspace_sequence(workspace_id), "project": _project_sequence(project_id)}
        row = session.execute(_NEXT_NUMBERS, sequences).one()
        return row[0], row[1]
    [number] = _BUMP_WORKSPACE.first(session, {"row_id": workspace_id}) or ()
    [key_number] = _BUMP_PROJECT.first(session, {"row_id": project_id}) or ()
    return int(number), int(key_number)


def allocate_key(session: Session, project_id: uuid.UUID) -> int:
    """The next key number of the project alone (a case moving in keeps its workspace number)."""
    if _is_postgres(session):
        return int(session.execute(_NEXT_KEY, {"project": _project_sequence(project_id)}).scalar_one())
    [key_number] = _BUMP_PROJECT.first(session, {"row_id": project_id}) or ()
    return int(key_number)


def _bump(table: Table) -> PlainStatement:
    # Run on the driver (casework.db.plain): the ORM's update path would also evaluate it against loaded objects.
    return PlainStatement(
        update(table)
        .where(table.c.id == bindparam("row_id", type_=Uuid()))
        .values(case_counter=table.c.case_counter + 1)
        .returning(table.c.case_counter)
    )


# Built once: a statement's cache key is worked out again for every new statement object (every create runs them).
_NEXT_NUMBERS = text("SELECT nextval(:ws), nextval(:project)").bindparams(
    bindparam("ws", type_=String()), bindparam("project", type_=String())
)
_NEXT_KEY = text("SELECT nextval(:project)").bindparams(bindparam("project", type_=String()))
_BUMP_WORKSPACE = _bump(Workspace.__table__)
_BUMP_PROJECT = _bump(Project.__table__)


def last_number(session: Session, workspace_id: uuid.UUID) -> int:
    """The workspace's last case number handed out (0 before the first case)."""
    if _is_postgres(session):
        row = session.execute(text(f"SELECT last_value, is_called FROM {_workspace_sequence(workspace_id)}")).one()
        return int(row.last_value) if row.is_called else 0
    return session.execute(select(Workspace.case_counter).where(Workspace.id == workspace_id)).scalar_one()


def advance_to(
    connection: Connection, workspace_id: uuid.UUID, project_id: uuid.UUID, last_number: int, last_key: int
) -> None:
    """After rows were loaded in bulk with case numbers up to `last_number` and the project's keys up to `last_key`:
    later creates continue after them."""
    if connection.dialect.name == "postgresql":
        for sequence, last in (
            (_workspace_sequence(workspace_id), last_number),
            (_project_sequence(project_id), last_key),
        ):
            connection.execute(text("SELECT setval(:sequence, :last)"), {"sequence": sequence, "last": last})
        return
    workspaces, projects = Workspace.__table__, Project.__table__
    connection.execute(update(workspaces).where(workspaces.c.id == workspace_id).values(case_counter=last_number))
    connection.execute(update(projects).where(projects.c.id == project_id).values(case_counter=last_key))
