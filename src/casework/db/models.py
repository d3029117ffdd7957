"""Every table, imported once so that metadata (migrations, tests) sees them all."""

from casework.activity.models import Activity
from casework.auth.models import ApiToken, User
from casework.cases.models import Case, CaseAssignee, CaseTag
from casework.db.base import Base
from casework.projects.models import Project, Workspace

__all__ = ["Activity", "ApiToken", "Base", "Case", "CaseAssignee", "CaseTag", "Project", "User", "Workspace"]
