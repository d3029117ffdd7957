"""What every `casework` command shares: the database of the settings, the user it acts as, and its output.

casework.cli and the domain CLIs (workflow, fields, SLAs, OAuth clients) import this; none imports another's app.
"""

import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, NoReturn, TypeVar

import orjson
import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from casework.auth import service as auth
from casework.db.base import JSON_TIME_OPTIONS
from casework.db.database import Database
from casework.errors import DomainError, from_validation_error
from casework.projects import service as projects
from casework.settings import Settings

# soft_wrap: a token or a command must never be broken across lines.
out = Console(soft_wrap=True)
err = Console(stderr=True)
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (email); the first admin by default.")]


def fail(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


# Values of these settings are never echoed back.
SECRET_SETTINGS = ("s3_secret_access_key", "bootstrap_token")


def load_settings() -> Settings:
    """The settings of the environment; a bad value is one line naming its variable, then exit 2, no traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            shown = "" if field in SECRET_SETTINGS else f"={error['input']}"
            message = error["msg"].removeprefix("Value error, ")
            err.print(
                f"error: CASEWORK_{field.upper()}{shown}: {message}", markup=False, highlight=False, soft_wrap=True
            )
        raise typer.Exit(2) from None


@contextmanager
def database() -> Iterator[Database]:
    db = Database(load_settings().resolved_database_url)
    try:
        yield db
    except DomainError as exc:
        fail(exc.detail)
    except SQLAlchemyError as exc:
        fail(f"database error: {str(exc.__cause__ or exc).splitlines()[0]}")
    finally:
        db.dispose()


def run(work: Callable[..., T], *args: Any, write: bool = True) -> T:
    with database() as db:
        return db.run_sync(work, *args, write=write)


WorkspaceOption = Annotated[
    str | None,
    typer.Option(
        "--workspace", "-w", envvar="CASEWORK_WORKSPACE",
        help="The workspace to act in (id or name; `casework workspace list`); the only one by default.",
    ),
]  # fmt: skip


# What `casework --workspace` (or CASEWORK_WORKSPACE) named: the root command sets it on every invocation.
chosen_workspace: ContextVar[str | None] = ContextVar("chosen_workspace", default=None)


def workspace_option() -> str | None:
    return chosen_workspace.get()


def selected_workspace(session: Session) -> uuid.UUID:
    """The workspace named by `casework --workspace` (or CASEWORK_WORKSPACE), else the database's only one."""
    ref = workspace_option()
    if ref:
        return projects.find_workspace_id(session, ref)
    workspace_id = projects.sole_workspace_id(session)
    if workspace_id is None:
        if projects.list_workspaces(session):
            raise DomainError("several workspaces: choose one with --workspace (casework workspace list)")
        raise DomainError("the CLI needs a workspace; run `casework serve` once to create it")
    return workspace_id


def acting_user(session: Session, as_email: str | None) -> auth.Actor:
    """The CLI acts as a user of the selected workspace with every scope, as a local operator."""
    workspace_id = selected_workspace(session)
    if as_email:
        user = auth.find_user_by_email(session, workspace_id, as_email)
    else:
        admin = auth.first_active_admin(session, workspace_id)
        if admin is None:
            raise DomainError("the workspace has no active admin")
        user = admin
    return auth.Actor(user.workspace_id, user.id, user.role, frozenset(auth.SCOPES), source="cli")


def print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | JSON_TIME_OPTIONS).decode() + "\n")


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


def validated(model: type[M], **values: Any) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        fail(from_validation_error(exc).detail)
