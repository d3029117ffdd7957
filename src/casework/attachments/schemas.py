import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, ValidationError

from casework.attachments.records import FileRecord
from casework.descriptions import CASE_ID, ID, ITEMS, NEXT_CURSOR
from casework.errors import InvalidInput, from_validation_error
from casework.i18n import _
from casework.inputs import StrictInput

# The name as the client sent it; it is kept sanitised and cut to 255 characters.
MAX_GIVEN_FILENAME = 4096


class FileUpload(StrictInput):
    """A file given as base64 inside JSON (as some vendor APIs send them)."""

    filename: Annotated[str, StringConstraints(min_length=1, max_length=MAX_GIVEN_FILENAME)] = Field(
        description="The file's name; directories and control characters are removed, and it is cut to 255 characters."
    )
    content_base64: str = Field(description="The bytes, base64 (standard or URL-safe alphabet; line breaks allowed).")

    @classmethod
    def parse(cls, raw: bytes) -> "FileUpload":
        try:
            return cls.model_validate_json(raw)
        except ValidationError as exc:
            if any(error["type"] == "json_invalid" for error in exc.errors()):
                raise InvalidInput.field("body", _("not valid JSON")) from None
            problem = from_validation_error(exc)
            for error in problem.errors:
                error.field = error.field or "body"  # the body itself is wrong (not an object)
            raise problem from None


class FileRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The file's integer handle: accepted wherever its id is.")
    case_id: uuid.UUID = Field(description=CASE_ID)
    filename: str = Field(description="The name as uploaded, sanitised.")
    content_type: str = Field(description="Detected from the bytes, never taken from the client.")
    size: int = Field(description="Bytes.")
    sha256: str = Field(description="The SHA-256 of the bytes, hex.")
    comment_id: uuid.UUID | None = Field(description="The comment carrying the file, if any.")
    uploaded_by: uuid.UUID = Field(description="The user who uploaded it.")
    created_at: datetime = Field(description="When it was uploaded (RFC 3339, UTC).")


class FilePage(BaseModel):
    items: list[FileRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


def file_view(file: FileRecord) -> dict[str, Any]:
    """The native JSON of a file, built directly."""
    return {
        "id": str(file.id),
        "number": file.number,
        "case_id": str(file.case_id),
        "filename": file.filename,
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
        "comment_id": str(file.comment_id) if file.comment_id else None,
        "uploaded_by": str(file.uploaded_by),
        "created_at": file.created_at,
    }
