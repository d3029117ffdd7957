"""First start of an empty database: a workspace, a default project, an admin and that admin's token."""

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework.auth.schemas import UserCreate
from casework.auth.service import SCOPES, add_user, issue_token
from casework.projects.models import Workspace
from casework.projects.schemas import ProjectCreate
from casework.projects.service import add_project, create_workspace

ADMIN_EMAIL = "admin@example.com"
# Any constant shared by every casework process: serialises concurrent first starts on PostgreSQL.
BOOTSTRAP_LOCK = 7_201_001


@dataclass(frozen=True)
class Bootstrapped:
    admin_email: str
    token: str


def bootstrap_if_empty(session: Session, token: str | None = None) -> Bootstrapped | None:
    """Returns the new admin token on the first start, None on every later one."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BOOTSTRAP_LOCK})
    if session.scalar(select(Workspace.id).limit(1)) is not None:
        return None
    workspace = create_workspace(session, "Default workspace")
    add_project(session, workspace.id, ProjectCreate(key="CASE", name="Default project"))
    admin = add_user(session, workspace.id, UserCreate(email=ADMIN_EMAIL, name="Administrator", role="admin"))
    _, secret = issue_token(session, admin, "bootstrap", list(SCOPES), secret=token)
    return Bootstrapped(admin.email, secret)
