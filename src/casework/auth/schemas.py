import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from casework.descriptions import CREATED_AT, ID, SHOWN_ONCE
from casework.inputs import Moment, StrictInput

Role = Literal["admin", "manager", "agent", "reviewer", "viewer"]
Scope = Literal["cases:read", "cases:write", "admin", "cases:impersonate"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]


EMAIL = "The user's email address, unique on the server."
USER_NAME = "The user's name for people, 1 to 160 characters."
ROLE = "What the user may do in the workspace: admin, manager, agent, reviewer or viewer (README, Roles)."
ACTIVE = "False for a deactivated user: their tokens and OAuth clients are refused."
TOKEN_NAME = "A name for people to recognise the token by, 1 to 160 characters."
SCOPES = "What the credential may do, beside its user's role: cases:read, cases:write, admin, cases:impersonate."
EXPIRES_AT = "When the token stops working; null: never."


class UserCreate(StrictInput):
    email: EmailStr = Field(description=EMAIL)
    name: Name = Field(description=USER_NAME)
    role: Role = Field(default="agent", description=ROLE)


class UserUpdate(StrictInput):
    name: Name | None = Field(default=None, description=USER_NAME)
    role: Role | None = Field(default=None, description=ROLE)
    active: bool | None = Field(default=None, description=ACTIVE)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The user's integer handle: accepted wherever its id is.")
    email: str = Field(description=EMAIL)
    name: str = Field(description=USER_NAME)
    role: Role = Field(description=ROLE)
    active: bool = Field(description=ACTIVE)
    created_at: datetime = Field(description=CREATED_AT)


class TokenCreate(StrictInput):
    name: Name = Field(default="api", description=TOKEN_NAME)
    user_id: uuid.UUID | None = Field(default=None, description="Whose token; yourself when absent.")
    scopes: list[Scope] = Field(default=["cases:read", "cases:write"], min_length=1, description=SCOPES)
    expires_at: Moment | None = Field(default=None, description=EXPIRES_AT)
    rate_limit: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None, description="Like '600/minute'; the server default when absent."
    )


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description=ID)
    user_id: uuid.UUID = Field(description="The user the token acts as.")
    name: str = Field(description=TOKEN_NAME)
    prefix: str = Field(
        description="The secret's first characters (`cw_` and 6 more), to recognise the token; the rest is never shown "
        "again."
    )
    scopes: list[Scope] = Field(description=SCOPES)
    rate_limit: str | None = Field(description="Its own limit, like `600/minute`; null: the server default.")
    expires_at: datetime | None = Field(description=EXPIRES_AT)
    revoked_at: datetime | None = Field(description="When it was revoked; null while it is usable.")
    last_used_at: datetime | None = Field(
        description="When it last authenticated a request, to the minute; null if never."
    )
    created_at: datetime = Field(description=CREATED_AT)


class TokenCreated(TokenRead):
    token: str = Field(description=SHOWN_ONCE)


class MeRead(BaseModel):
    user: UserRead = Field(description="The user the request acts as.")
    workspace_id: uuid.UUID = Field(description="The workspace of that user: every row the API shows is in it.")
    token_id: uuid.UUID | None = Field(description="The API token of the request; null with an OAuth access token.")
    oauth_client_id: uuid.UUID | None = Field(description="The OAuth client whose access token the request carries.")
    scopes: list[Scope] = Field(description=SCOPES)
