"""Blocks of the case page (the Tines model): what a client may send, and the JSON a block reads as.

A block's `elements` arrive as plain objects: their shape depends on the block type, so the service checks each
one with `parse_element` (the error then names `blocks.<i>.elements.<j>.<field>`).
"""

import math
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from casework.blocks.records import BlockRecord, ElementRecord
from casework.descriptions import ALL_ITEMS, CASE_ID, CREATED_AT, CREATED_BY, ID, ITEMS, NEXT_CURSOR, UPDATED_AT
from casework.errors import from_validation_error
from casework.i18n import _
from casework.inputs import StrictInput, not_blank

BlockType = Literal[
    "note", "file", "linked_cases", "metadata", "closure_conditions", "case_action", "html", "block_group"
]
NoteType = Literal["text", "html"]
Color = Literal["white", "gold", "magenta", "green", "blue", "red", "mint", "indigo"]

MAX_BLOCKS_PER_REQUEST = 50
MAX_BLOCKS_PER_CASE = 200
MAX_ELEMENTS_PER_BLOCK = 100
MAX_NOTE_CHARS = 30_000
MAX_DATA_KEYS = 50
MAX_DATA_KEY_CHARS = 256
MAX_DATA_VALUE_CHARS = 10_000
MAX_ANNOTATION_CHARS = 2_000

# The note_type each note-like block takes; the other block types have no notes.
NOTE_TYPES: dict[str, NoteType] = {"note": "text", "html": "html"}


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("must not contain NUL characters"))
    return value


Title = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(not_blank)]
Guid = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(not_blank)]


# Elements, by block type


BLOCK_TITLE = "The block's heading, 1 to 255 characters."
BLOCK_TYPE = (
    "What the block holds, which sets its elements' shape: note, file, linked_cases, metadata, closure_conditions, "
    "case_action, html or block_group."
)
HIDDEN = "Hidden blocks stay on the case but out of its page."
BLOCK_POSITION = "Its place on the case's page, from 1, counted over all the case's blocks."


class NoteElement(StrictInput):
    """An element of a `note` (markdown, note_type "text") or `html` (note_type "html") block."""

    content: Annotated[str, StringConstraints(max_length=MAX_NOTE_CHARS)]
    note_type: NoteType | None = Field(default=None, description='"text" for note blocks, "html" for html blocks.')
    color: Color | None = None


class FileElement(StrictInput):
    """An element of a `file` block: stored as a file of the case (the service decodes file_contents)."""

    filename: Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(not_blank)]
    file_contents: str = Field(description="The file's bytes, base64-encoded (standard or URL-safe).")
    annotation: Annotated[str, StringConstraints(max_length=MAX_ANNOTATION_CHARS)] | None = None


_INT64 = range(-(2**63), 2**63)


def _data_value(value: Any) -> Any:
    """A string, a number or a boolean, as JSON and both databases keep them (no NaN, no integer past 64 bits)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value not in _INT64:
            raise ValueError(_("must be an integer of at most 64 bits"))
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(_("must be a finite number"))
        return value
    if isinstance(value, str):
        if len(value) > MAX_DATA_VALUE_CHARS:
            raise ValueError(_("must have at most {limit} characters", limit=MAX_DATA_VALUE_CHARS))
        return _no_nul(value)
    raise ValueError(_("must be a string, a number or a boolean"))


DataKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_DATA_KEY_CHARS), AfterValidator(_no_nul)]
DataValue = Annotated[Any, PlainValidator(_data_value), WithJsonSchema({"type": ["string", "number", "boolean"]})]
DataElement = Annotated[dict[DataKey, DataValue], Field(max_length=MAX_DATA_KEYS)]

_NOTE = TypeAdapter(NoteElement)
_FILE = TypeAdapter(FileElement)
_DATA: TypeAdapter[dict[str, Any]] = TypeAdapter(DataElement)

Element = NoteElement | FileElement | dict[str, Any]


def parse_element(block_type: str, raw: Any, field: str) -> Element:
    """One element checked against its block type's shape; InvalidInput names the field under `field`."""
    try:
        if block_type in NOTE_TYPES:
            return _NOTE.validate_python(raw)
        if block_type == "file":
            return _FILE.validate_python(raw)
        return _DATA.validate_python(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, prefix=field) from None


# Requests


class BlockCreate(StrictInput):
    title: Title = Field(description=BLOCK_TITLE)
    block_type: BlockType = Field(description=BLOCK_TYPE)
    elements: Annotated[list[dict[str, Any]], Field(max_length=MAX_ELEMENTS_PER_BLOCK)] = Field(
        default=[],
        description="note/html: {content, note_type, color?}; file: {filename, file_contents (base64), annotation?}; "
        "linked_cases, metadata, closure_conditions, case_action: an object of strings, numbers and booleans "
        f"(at most {MAX_DATA_KEYS} keys); block_group: none.",
    )
    hidden: bool = Field(default=False, description=HIDDEN)
    guid: Guid | None = Field(default=None, description="A client name for this block, unique within the request.")
    parent_block_guid: Guid | None = Field(
        default=None, description="The guid of a block_group named EARLIER in the same request, to nest this block in."
    )
    parent_block_id: uuid.UUID | None = Field(
        default=None, description="An existing block_group of the case to nest this block in."
    )


class BlocksCreate(StrictInput):
    blocks: Annotated[list[BlockCreate], Field(min_length=1, max_length=MAX_BLOCKS_PER_REQUEST)] = Field(
        description="The blocks to add (1 to 50), appended to the page in this order."
    )


class BlockUpdate(StrictInput):
    """Only the fields present change; `position` (1-based, within the case's whole page) moves the block."""

    title: Title | None = Field(default=None, description=BLOCK_TITLE)
    hidden: bool | None = Field(default=None, description=HIDDEN)
    position: Annotated[int, Field(ge=1, le=MAX_BLOCKS_PER_CASE)] | None = Field(
        default=None, description=BLOCK_POSITION
    )

    def changed_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


# Answers


class ElementRead(BaseModel):
    """note/html: content, note_type, color; file: filename, annotation, size, content_type, attachment_id;
    the other block types: data."""

    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The element's integer handle.")
    position: int = Field(description="Its place among the block's elements.")
    content: str | None = Field(
        default=None, description="note/html: the text (markdown or HTML); null for other blocks."
    )
    note_type: NoteType | None = Field(
        default=None, description="note/html: `text` (markdown) or `html`; null for other blocks."
    )
    color: Color | None = Field(default=None, description="note/html: the note's colour, if set.")
    filename: str | None = Field(default=None, description="file: the file's name; null for other blocks.")
    annotation: str | None = Field(default=None, description="file: a caption for the file, if given.")
    size: int | None = Field(default=None, description="file: the file's size in bytes.")
    content_type: str | None = Field(default=None, description="file: the media type detected from the bytes.")
    attachment_id: uuid.UUID | None = Field(default=None, description="file: the case's file holding the bytes.")
    data: dict[str, Any] | None = Field(
        default=None,
        description="linked_cases, metadata, closure_conditions, case_action: the element's keys and "
        "values; null for other blocks.",
    )


class BlockRead(BaseModel):
    id: uuid.UUID = Field(description=ID)
    number: int = Field(description="The block's integer handle: accepted wherever its id is.")
    case_id: uuid.UUID = Field(description=CASE_ID)
    title: str = Field(description=BLOCK_TITLE)
    block_type: BlockType = Field(description=BLOCK_TYPE)
    position: int = Field(description=BLOCK_POSITION)
    hidden: bool = Field(description=HIDDEN)
    parent_block_id: uuid.UUID | None = Field(
        description="The block_group it is nested in; null at the top of the page."
    )
    created_at: datetime = Field(description=CREATED_AT)
    created_by: uuid.UUID = Field(description=CREATED_BY)
    updated_at: datetime = Field(description=UPDATED_AT)
    elements: list[ElementRead] = Field(description="Its elements in order; their members depend on block_type.")


class BlockList(BaseModel):
    items: list[BlockRead] = Field(description=ALL_ITEMS)


class BlockPage(BaseModel):
    items: list[BlockRead] = Field(description=ITEMS)
    next_cursor: str | None = Field(description=NEXT_CURSOR)


def element_view(block_type: str, element: ElementRecord) -> dict[str, Any]:
    view: dict[str, Any] = {"id": str(element.id), "number": element.number, "position": element.position}
    if block_type in NOTE_TYPES or block_type == "file":
        view.update(element.data)
        if block_type == "file":
            view["attachment_id"] = str(element.attachment_id) if element.attachment_id else None
    else:
        view["data"] = element.data
    return view


def block_view(block: BlockRecord) -> dict[str, Any]:
    """The native JSON of one block with its elements."""
    return {
        "id": str(block.id),
        "number": block.number,
        "case_id": str(block.case_id),
        "title": block.title,
        "block_type": block.block_type,
        "position": block.position,
        "hidden": block.hidden,
        "parent_block_id": str(block.parent_id) if block.parent_id else None,
        "created_at": block.created_at,
        "created_by": str(block.created_by),
        "updated_at": block.updated_at,
        "elements": [element_view(block.block_type, e) for e in block.elements],
    }
