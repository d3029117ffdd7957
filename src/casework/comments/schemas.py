import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from casework.comments.models import Comment
from casework.inputs import StrictInput, not_blank, unique_items

MAX_BODY_CHARS = 30_000
MAX_FILES = 100


# Kept exactly as given (no stripping): only a body of nothing but whitespace is refused.
Body = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_BODY_CHARS),
    AfterValidator(not_blank),
    Field(
        description=(
            "Markdown, 1 to 30,000 characters, not blank. `<@user-ID>` (ID: a user's UUID) mentions a user of "
            "the workspace; other ids stay plain text."
        )
    ),
]
FileIds = Annotated[
    list[uuid.UUID],
    Field(
        max_length=MAX_FILES,
        description="Files already uploaded to this case and carried by no other comment (at most 100).",
    ),
    AfterValidator(unique_items),
]


class CommentCreate(StrictInput):
    body: Body
    file_ids: FileIds = []


class CommentUpdate(StrictInput):
    body: Body


class CommentRead(BaseModel):
    id: uuid.UUID
    number: int = Field(description="The comment's integer handle: accepted wherever its id is.")
    case_id: uuid.UUID
    author_id: uuid.UUID
    body: str = Field(description="The markdown exactly as written.")
    body_html: str | None = Field(
        default=None, description="The body rendered to sanitised HTML; present only when asked with `render=html`."
    )
    mentions: list[uuid.UUID] = Field(
        description="Users of the workspace mentioned in the body, in order of appearance."
    )
    file_ids: list[uuid.UUID] = Field(description="Files of the case this comment carries.")
    created_at: datetime
    updated_at: datetime
    updated_by: uuid.UUID


class CommentPage(BaseModel):
    items: list[CommentRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


def comment_view(comment: Comment, file_ids: list[uuid.UUID]) -> dict[str, Any]:
    """The native JSON of a comment, built directly."""
    return {
        "id": str(comment.id),
        "number": comment.number,
        "case_id": str(comment.case_id),
        "author_id": str(comment.author_id),
        "body": comment.body,
        "mentions": list(comment.mentions),
        "file_ids": [str(f) for f in file_ids],
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "updated_by": str(comment.updated_by),
    }
