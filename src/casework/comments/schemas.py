import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from casework.comments.records import CommentRecord
from casework.descriptions import ITEMS, NEXT_CURSOR
from casework.i18n import _
from casework.inputs import StrictInput, Version, not_blank, unique_items

MAX_BODY_CHARS = 30_000
MAX_FILES = 100
MAX_TITLE_CHARS = 255


# Kept exactly as given (no stripping): only a body of nothing but whitespace is refused.
Body = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_BODY_CHARS),
    AfterValidator(not_blank),
    Field(
        description=(
            "Markdown, 1 to 30,000 characters, not blank. `<@user-ID>` mentions a user of the workspace, ID being "
            "the user's UUID or integer handle (`number`); a reference that names no active user stays plain text "
            "and is listed in `unresolved_mentions`."
        )
    ),
]
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TITLE_CHARS),
    AfterValidator(not_blank),
    Field(description="A heading for the comment, 1 to 255 characters; null for none."),
]
PUBLIC = "False for an internal note, not meant for the case's requester."
Public = Annotated[bool, Field(description=PUBLIC + " True by default.")]
FileIds = Annotated[
    list[uuid.UUID],
    Field(
        max_length=MAX_FILES,
        description="Files already uploaded to this case and carried by no other comment (at most 100).",
    ),
    AfterValidator(unique_items),
]


class CommentCreate(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"body": "Called the bank: the card is blocked. <@12> please follow up.", "public": False}]
        }
    )

    body: Body
    title: Title | None = Field(default=None, description="A heading for the comment, 1 to 255 characters.")
    public: Public = True
    file_ids: FileIds = []
    author: uuid.UUID | None = Field(
        default=None, description="Write the comment for this user of the workspace (tokens with cases:impersonate)."
    )


class CommentUpdate(StrictInput):
    """Only the fields present change. `version`, when given, must be the comment's current version."""

    version: Version | None = Field(default=None, description="The comment's version (not the case's).")
    body: Body | None = Field(
        default=None, description="Markdown, 1 to 30,000 characters, not blank; mentions are read again."
    )
    title: Title | None = Field(
        default=None, description="A heading for the comment, 1 to 255 characters; null removes it."
    )
    public: Public | None = Field(default=None, description=PUBLIC)

    @field_validator("body", "public")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Absent fields keep their value; null would mean removing what a comment must have.
        if value is None:
            raise ValueError(_("must not be null"))
        return value


class CommentRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3e2d1c0b-9a8f-4e7d-b6c5-a4b3c2d1e0f9",
                    "number": 7,
                    "case_id": "7f1d2c3b-8a9e-4f60-b1c2-d3e4f5a6b7c8",
                    "author_id": "0b9e3a4c-2f4e-4d8a-9a55-3c1f0d6e7a21",
                    "version": 1,
                    "title": None,
                    "public": False,
                    "body": "Called the bank: the card is blocked. <@12> please follow up.",
                    "mentions": ["6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a"],
                    "unresolved_mentions": [],
                    "file_ids": [],
                    "created_at": "2026-06-01T10:02:11Z",
                    "updated_at": "2026-06-01T10:02:11Z",
                    "updated_by": "0b9e3a4c-2f4e-4d8a-9a55-3c1f0d6e7a21",
                }
            ]
        }
    )

    id: uuid.UUID = Field(description="The comment's id.")
    number: int = Field(description="The comment's integer handle: accepted wherever its id is.")
    case_id: uuid.UUID = Field(description="The case the comment is on.")
    author_id: uuid.UUID = Field(description="Who wrote it (the user acted for, with impersonation).")
    version: int = Field(description="The comment's own version: 1 when added, raised by one on each edit.")
    title: str | None = Field(description="The comment's heading; null for none.")
    public: bool = Field(description=PUBLIC)
    body: str = Field(description="The markdown exactly as written.")
    body_html: str | None = Field(
        default=None, description="The body rendered to sanitised HTML; present only when asked with `render=html`."
    )
    mentions: list[uuid.UUID] = Field(
        description="Users of the workspace mentioned in the body, in order of appearance."
    )
    unresolved_mentions: list[str] = Field(
        description=(
            "References written as `<@user-ID>` in the body that named no active user of the workspace when the "
            "body was written, as written (a UUID, in lower case, or a handle), in order of appearance."
        )
    )
    file_ids: list[uuid.UUID] = Field(description="Files of the case this comment carries.")
    created_at: datetime = Field(description="When it was added.")
    updated_at: datetime = Field(description="When it last changed.")
    updated_by: uuid.UUID = Field(description="Who changed it last.")


class CommentPage(BaseModel):
    items: list[CommentRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


def comment_view(comment: CommentRecord) -> dict[str, Any]:
    """The native JSON of a comment, built directly."""
    return {
        "id": str(comment.id),
        "number": comment.number,
        "case_id": str(comment.case_id),
        "author_id": str(comment.author_id),
        "version": comment.version,
        "title": comment.title,
        "public": comment.public,
        "body": comment.body,
        "mentions": [str(user) for user in comment.mentions],
        "unresolved_mentions": list(comment.unresolved_mentions),
        "file_ids": [str(f) for f in comment.file_ids],
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "updated_by": str(comment.updated_by),
    }
