import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from casework.inputs import Moment, StrictInput

Role = Literal["admin", "manager", "agent", "reviewer", "viewer"]
Scope = Literal["cases:read", "cases:write", "admin", "cases:impersonate"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]


class UserCreate(StrictInput):
    email: EmailStr
    name: Name
    role: Role = "agent"


class UserUpdate(StrictInput):
    name: Name | None = None
    role: Role | None = None
    active: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int = Field(description="The user's integer handle: accepted wherever its id is.")
    email: str
    name: str
    role: Role
    active: bool
    created_at: datetime


class TokenCreate(StrictInput):
    name: Name = "api"
    user_id: uuid.UUID | None = Field(default=None, description="Whose token; yourself when absent.")
    scopes: list[Scope] = Field(default=["cases:read", "cases:write"], min_length=1)
    expires_at: Moment | None = None
    rate_limit: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None, description="Like '600/minute'; the server default when absent."
    )


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    prefix: str
    scopes: list[Scope]
    rate_limit: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class TokenCreated(TokenRead):
    token: str = Field(description="The secret. It is shown in this response only.")


class MeRead(BaseModel):
    user: UserRead
    workspace_id: uuid.UUID
    token_id: uuid.UUID | None = Field(description="The API token of the request; null with an OAuth access token.")
    oauth_client_id: uuid.UUID | None = Field(description="The OAuth client whose access token the request carries.")
    scopes: list[Scope]
