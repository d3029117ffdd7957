"""What the attachment and user action routes answer, as /kibana/openapi.json documents it (the answers themselves
are built by `attachments` and `user_actions`, straight to JSON)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from casework.dialects.kibana.schemas import CaseRead, KibanaUser


class AttachmentCommon(BaseModel):
    id: str
    version: str = Field(description="The attachment's own version: send it back to change the attachment.")
    owner: str
    created_at: str
    created_by: KibanaUser
    pushed_at: str | None
    pushed_by: KibanaUser | None
    updated_at: str | None = Field(description="Null until the attachment is first changed.")
    updated_by: KibanaUser | None


class UserCommentRead(AttachmentCommon):
    type: Literal["user"]
    comment: str


class AlertRuleRead(BaseModel):
    id: str | None
    name: str | None


class AlertCommentRead(AttachmentCommon):
    type: Literal["alert"]
    alertId: list[str]
    index: list[str] = Field(description="Each alert's index, in the order of alertId.")
    rule: AlertRuleRead


AttachmentRead = Annotated[UserCommentRead | AlertCommentRead, Field(discriminator="type")]


class CaseWithComments(CaseRead):
    """The case and every attachment; totalComment counts them all, totalAlerts the distinct alerts."""

    comments: list[AttachmentRead]  # type: ignore[assignment]


class CommentsFound(BaseModel):
    comments: list[UserCommentRead]
    page: int
    per_page: int
    total: int


class CaseAlertRead(BaseModel):
    id: str = Field(description="The alert's id.")
    index: str
    attached_at: str


class CaseTotals(BaseModel):
    alerts: int
    userComments: int


class CaseOfAlertRead(BaseModel):
    id: str
    title: str
    description: str
    status: Literal["open", "in-progress", "closed"]
    createdAt: str
    totals: CaseTotals


class UserActionCommon(BaseModel):
    type: Literal[
        "assignees", "comment", "connector", "description", "pushed", "tags", "title", "status", "settings",
        "severity", "create_case", "delete_case", "category", "customFields",
    ]  # fmt: skip
    action: Literal["add", "create", "delete", "update", "push_to_service"]
    payload: dict[str, Any]
    created_at: str
    created_by: KibanaUser | None
    owner: str
    comment_id: str | None = Field(description="The attachment a comment action is about.")


class UserActionRead(UserActionCommon):
    id: str
    version: str


class DeprecatedUserActionRead(UserActionCommon):
    action_id: str
    case_id: str


class UserActionsFound(BaseModel):
    userActions: list[UserActionRead]
    page: int
    perPage: int
    total: int
