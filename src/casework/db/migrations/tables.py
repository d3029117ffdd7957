"""Every table, imported once so that metadata (migrations, tests) sees them all."""

from casework.activity.models import Activity
from casework.alerts.models import CaseAlert
from casework.attachments.models import Attachment
from casework.auth.models import ApiToken, AuthGeneration, User
from casework.blocks.models import Block, BlockElement
from casework.cases.models import (
    AssigneeCaseCount,
    Case,
    CaseAssignee,
    CaseAttribute,
    CaseCount,
    CaseMetadata,
    CaseTag,
    Tag,
)
from casework.cases.watching import CaseWatcher
from casework.comments.models import Comment
from casework.db.base import Base
from casework.db.handles import HandleCounter
from casework.insights.models import Insight
from casework.links.models import CaseLink
from casework.oauth.models import OAuthClient, OAuthSigningKey
from casework.projects.models import Project, Workspace
from casework.tasks.models import Task
from casework.vendor_settings.models import VendorSetting
from casework.workflow.case_types.models import CaseType
from casework.workflow.fields.models import CaseFieldValue, FieldDefinition
from casework.workflow.overrides.models import CaseAction, OverrideRequest
from casework.workflow.slas.models import CaseSla, SlaPolicy
from casework.workflow.statuses.models import CaseStatus, StatusTransition

__all__ = [
    "Activity",
    "AssigneeCaseCount",
    "CaseAction",
    "CaseFieldValue",
    "CaseSla",
    "CaseStatus",
    "CaseType",
    "FieldDefinition",
    "HandleCounter",
    "OverrideRequest",
    "SlaPolicy",
    "StatusTransition",
    "ApiToken",
    "AuthGeneration",
    "Attachment",
    "Base",
    "Block",
    "BlockElement",
    "Case",
    "CaseAlert",
    "CaseAssignee",
    "CaseAttribute",
    "CaseCount",
    "CaseMetadata",
    "CaseLink",
    "CaseTag",
    "CaseWatcher",
    "Comment",
    "Insight",
    "OAuthClient",
    "OAuthSigningKey",
    "Project",
    "Tag",
    "Task",
    "User",
    "VendorSetting",
    "Workspace",
]
