"""Blocks of a case page (the Tines model): adding, reading, editing and removing them.

Rules, in one place:

- Order. A case's blocks form ONE ordered list (a block_group's children included), with positions kept dense:
  1..n, no gaps, no repeats. So `SELECT max(position)` on the (case_id, position) index is both where the next
  block goes (max + 1) and how many blocks the case holds (for the limit of MAX_BLOCKS_PER_CASE); no list is read.
  New blocks go after the existing ones, in request order. PATCH `position` moves a block to that place (1..n)
  and shifts the blocks in between by one (one UPDATE); DELETE closes the gap (one UPDATE). A group's children
  are the blocks whose parent_block_id names it, shown in their page order; moving a group does not move them.
- Nesting. In one POST a block may carry a client `guid` (unique within the request: a repeat is a 422 naming
  `blocks.<i>.guid`); a block may nest in a block_group named EARLIER in the same request with
  `parent_block_guid` (a guid not named earlier is a 422 naming `blocks.<i>.parent_block_guid`), or in an
  existing block_group of the case with `parent_block_id`. One level only: the parent must be a block_group,
  and a block_group cannot itself be nested (422). Guids are not stored: the answer lists the new blocks in
  request order.
- Elements. note (markdown, stored as given) and html elements are {content, note_type, color?}; note_type must
  match the block ("text" for note, "html" for html; it may be left out). html content is sanitised with nh3
  WHEN STORED: the stored and served HTML is the sanitised one (no script/style, no event handlers, no
  javascript: URLs); the 30,000-character limit applies to the content as sent. file elements
  {filename, file_contents (base64), annotation?} become files of the case through the attachments service
  (attachments.add_file, record=False: the files count, the one activity entry is blocks_added; the element
  keeps the attachment's id, the sanitised name, size and detected content type); file names, base64, sizes
  (413) and the case's room for files (100) are checked for every element before the first file is stored.
  Elements of the other block types are small flat objects of strings, numbers and booleans; a block_group
  has none.
- Removal. Deleting a block deletes its elements. Its files stay files of the case, listed by the files API,
  which refuses to delete a file while a block shows it (409) and deletes it once the block is gone. A
  block_group that still holds blocks is not deleted: 409 (delete its children first).
- Every write locks the case (cases.service.lock_case_for_change), then writes, then calls record_change once:
  version + 1 and one activity entry (`blocks_added`, `block_updated`, `block_deleted`). Every check runs
  before the first write; anything refused later rolls the whole transaction back (files included: the
  attachments service deletes the objects it stored when the transaction rolls back).
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

import nh3
from sqlalchemy import delete, exists, func, literal, select, tuple_, update
from sqlalchemy.orm import Session

from casework.attachments import service as attachments
from casework.attachments.storage import FileStore
from casework.auth.service import Actor
from casework.blocks.models import Block, BlockElement
from casework.blocks.records import BlockRecord, block_record
from casework.blocks.schemas import (
    MAX_BLOCKS_PER_CASE,
    NOTE_TYPES,
    BlockCreate,
    BlocksCreate,
    BlockUpdate,
    Element,
    FileElement,
    NoteElement,
    parse_element,
)
from casework.cases import service as cases
from casework.cases.records import CaseIdentity, LockedCase
from casework.db.base import new_id, utcnow
from casework.db.handles import insert_with_handles, ref_condition
from casework.errors import Conflict, DomainError, FieldError, InvalidInput, LimitExceeded, NotFound, detail_of
from casework.i18n import _
from casework.pagination import after_position, page_of

BLOCKS = Block.__table__
ELEMENTS = BlockElement.__table__

# Positions are INTEGER columns: a cursor holding anything past them is no cursor this server issued.
_POSITION_RANGE = range(1, 2**31)


def sanitise_html(content: str) -> str:
    """HTML as it is stored for html blocks: nh3's defaults (an allow-list of tags and attributes; script and
    style removed with their content; no event handlers; only safe URL schemes)."""
    return nh3.clean(content)


# Reading


def _find_block(session: Session, case: CaseIdentity, block_id: str | uuid.UUID) -> Any:
    """A block of the case by id or handle."""
    named = ref_condition(BLOCKS.c, block_id)
    if named is None:
        raise NotFound("block", block_id)
    row = session.execute(
        select(BLOCKS).where(named, BLOCKS.c.case_id == case.id, BLOCKS.c.workspace_id == case.workspace_id)
    ).first()
    if row is None:
        raise NotFound("block", block_id)
    return row._mapping


def _elements_of(session: Session, workspace_id: uuid.UUID, block_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """The elements of these blocks, in one query, grouped by block, each in position order."""
    grouped: dict[uuid.UUID, list[Any]] = {ident: [] for ident in block_ids}
    if not block_ids:
        return grouped
    rows = session.execute(
        select(ELEMENTS)
        .where(ELEMENTS.c.block_id.in_(block_ids), ELEMENTS.c.workspace_id == workspace_id)
        .order_by(ELEMENTS.c.block_id, ELEMENTS.c.position, ELEMENTS.c.id)
    )
    for row in rows:
        grouped[row.block_id].append(row._mapping)
    return grouped


def _with_elements(session: Session, case: CaseIdentity, block: Any) -> BlockRecord:
    return block_record(block, _elements_of(session, case.workspace_id, [block["id"]])[block["id"]])


def get_block(session: Session, actor: Actor, ref: str, block_id: str) -> BlockRecord:
    case = cases.visible_case(session, actor, ref)
    return _with_elements(session, case, _find_block(session, case, block_id))


def list_blocks(
    session: Session, actor: Actor, ref: str, cursor: str | None = None, limit: int = 50
) -> tuple[list[BlockRecord], str | None]:
    """A page of the case's blocks in page order, each with its elements: one query for the blocks, one for
    all their elements."""
    case = cases.visible_case(session, actor, ref)
    query = select(BLOCKS).where(BLOCKS.c.case_id == case.id, BLOCKS.c.workspace_id == case.workspace_id)
    after = after_position(cursor, _POSITION_RANGE)
    if after is not None:
        position, last_id = after
        key = tuple_(BLOCKS.c.position, BLOCKS.c.id)
        query = query.where(key > tuple_(literal(position), literal(last_id, BLOCKS.c.id.type)))
    rows = [row._mapping for row in session.execute(query.order_by(BLOCKS.c.position, BLOCKS.c.id).limit(limit + 1))]
    rows, next_cursor = page_of(rows, limit, lambda row: [row["position"], str(row["id"])])
    elements = _elements_of(session, case.workspace_id, [row["id"] for row in rows])
    return [block_record(row, elements[row["id"]]) for row in rows], next_cursor


# Adding


@dataclass(slots=True)
class _Planned:
    """One block of a request, checked: its id, its parent's id, and its parsed elements."""

    index: int
    spec: BlockCreate
    id: uuid.UUID
    parent_id: uuid.UUID | None
    elements: list[Element]
    # The decoded bytes of file elements, by element index.
    contents: dict[int, bytes] = field(default_factory=dict)


def _plan(data: BlocksCreate) -> list[_Planned]:
    """Check the request's guids, nesting and elements (no database needed) and give each block its id."""
    planned: list[_Planned] = []
    by_guid: dict[str, _Planned] = {}
    for i, spec in enumerate(data.blocks):
        field = f"blocks.{i}"
        if spec.guid is not None:
            if spec.guid in by_guid:
                raise InvalidInput.field(
                    f"{field}.guid", _("repeats the guid of blocks.{index}", index=by_guid[spec.guid].index)
                )
        if spec.parent_block_guid is not None and spec.parent_block_id is not None:
            raise InvalidInput.field(
                f"{field}.parent_block_guid", _("give parent_block_guid or parent_block_id, not both")
            )
        nested = spec.parent_block_guid is not None or spec.parent_block_id is not None
        if nested and spec.block_type == "block_group":
            name = "parent_block_guid" if spec.parent_block_guid is not None else "parent_block_id"
            raise InvalidInput.field(f"{field}.{name}", _("a block_group cannot be nested in another block"))
        parent_id = None
        if spec.parent_block_guid is not None:
            parent = by_guid.get(spec.parent_block_guid)
            if parent is None:
                raise InvalidInput.field(
                    f"{field}.parent_block_guid", _("names no block_group given earlier in this request")
                )
            if parent.spec.block_type != "block_group":
                raise InvalidInput.field(
                    f"{field}.parent_block_guid",
                    _("names a {type} block; only a block_group holds blocks", type=parent.spec.block_type),
                )
            parent_id = parent.id
        elif spec.parent_block_id is not None:
            parent_id = spec.parent_block_id
        elements = _parse_elements(spec, field)
        block = _Planned(i, spec, new_id(), parent_id, elements)
        planned.append(block)
        if spec.guid is not None:
            by_guid[spec.guid] = block
    return planned


def _parse_elements(spec: BlockCreate, field: str) -> list[Element]:
    if spec.block_type == "block_group":
        if spec.elements:
            raise InvalidInput.field(f"{field}.elements", _("a block_group has no elements"))
        return []
    elements = []
    for j, raw in enumerate(spec.elements):
        element = parse_element(spec.block_type, raw, f"{field}.elements.{j}")
        if isinstance(element, NoteElement):
            expected = NOTE_TYPES[spec.block_type]
            if element.note_type is not None and element.note_type != expected:
                raise InvalidInput.field(
                    f"{field}.elements.{j}.note_type",
                    _('must be "{note_type}" in a {type} block', note_type=expected, type=spec.block_type),
                )
        elements.append(element)
    return elements


def _check_existing_parents(session: Session, case: CaseIdentity, planned: list[_Planned]) -> None:
    """Blocks nested by parent_block_id: each parent must be a block_group of this case."""
    wanted = {p.spec.parent_block_id for p in planned if p.spec.parent_block_id is not None}
    if not wanted:
        return
    found = dict(
        session.execute(
            select(BLOCKS.c.id, BLOCKS.c.block_type).where(
                BLOCKS.c.case_id == case.id, BLOCKS.c.workspace_id == case.workspace_id, BLOCKS.c.id.in_(wanted)
            )
        ).all()
    )
    for p in planned:
        if p.spec.parent_block_id is None:
            continue
        kind = found.get(p.spec.parent_block_id)
        if kind is None:
            raise InvalidInput.field(f"blocks.{p.index}.parent_block_id", _("names no block of this case"))
        if kind != "block_group":
            raise InvalidInput.field(
                f"blocks.{p.index}.parent_block_id",
                _("names a {type} block; only a block_group holds blocks", type=kind),
            )


def _last_position(session: Session, case: CaseIdentity) -> int:
    """The case's highest position: with dense positions, also its number of blocks."""
    return session.scalar(select(func.max(BLOCKS.c.position)).where(BLOCKS.c.case_id == case.id)) or 0


# Errors of the attachments service name its own fields: within a block they are named under the element.
_FILE_FIELDS = {"filename": "filename", "content_base64": "file_contents", "file": "file_contents"}


def _under(exc: DomainError, prefix: str) -> DomainError:
    """The same error with each field named under `prefix` (a limit of the whole case keeps its own name)."""
    if isinstance(exc, LimitExceeded) or not exc.errors:
        return exc
    errors = [FieldError(f"{prefix}.{_FILE_FIELDS.get(e.field, e.field)}", e.message) for e in exc.errors]
    return type(exc)(detail_of(errors), errors)


def _check_files(case: LockedCase, store: FileStore, planned: list[_Planned]) -> None:
    """Decode and check every file element before anything is stored: names, base64, sizes, the case's room."""
    count = 0
    for p in planned:
        for j, element in enumerate(p.elements):
            if not isinstance(element, FileElement):
                continue
            try:
                attachments.sanitize_filename(element.filename)
                p.contents[j] = attachments.decode_base64(element.file_contents, store.max_file_bytes)
            except DomainError as exc:
                raise _under(exc, f"blocks.{p.index}.elements.{j}") from None
            count += 1
    if count and case.file_count + count > attachments.MAX_FILES_PER_CASE:
        what = _("files per case (it holds {count})", count=case.file_count)
        raise LimitExceeded("files", attachments.MAX_FILES_PER_CASE, what)


def _element_row(
    session: Session, actor: Actor, store: FileStore, case: LockedCase, block: _Planned, j: int, element: Element
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": new_id(),
        "workspace_id": case.workspace_id,
        "block_id": block.id,
        "position": j + 1,
        "attachment_id": None,
    }
    if isinstance(element, NoteElement):
        note_type = NOTE_TYPES[block.spec.block_type]
        content = sanitise_html(element.content) if note_type == "html" else element.content
        row["data"] = {"content": content, "note_type": note_type, "color": element.color}
    elif isinstance(element, FileElement):
        try:
            attachment = attachments.add_file(
                session, actor, store, case, element.filename, block.contents[j], record=False
            )
        except DomainError as exc:
            raised = _under(exc, f"blocks.{block.index}.elements.{j}")
            if raised is exc:
                raise
            raise raised from exc
        row["attachment_id"] = attachment.id
        row["data"] = {
            "filename": attachment.filename,
            "annotation": element.annotation,
            "size": attachment.size,
            "content_type": attachment.content_type,
        }
    else:
        row["data"] = dict(element)
    return row


def add_blocks(
    session: Session,
    actor: Actor,
    store: FileStore,
    ref: str | uuid.UUID,
    data: BlocksCreate,
    expected_version: int | None = None,
) -> tuple[list[BlockRecord], int]:
    """Add the request's blocks after the case's existing ones; all or nothing. Returns the new blocks in request
    order and the case's new version. `store` is the file store, used only for file elements."""
    case = cases.lock_case_for_change(session, actor, ref, expected_version)
    planned = _plan(data)
    _check_existing_parents(session, case, planned)
    _check_files(case, store, planned)
    last = _last_position(session, case)
    if last + len(planned) > MAX_BLOCKS_PER_CASE:
        raise LimitExceeded("blocks", MAX_BLOCKS_PER_CASE, _("blocks per case (it holds {count})", count=last))
    now = utcnow()
    block_rows = [
        {
            "id": p.id,
            "workspace_id": case.workspace_id,
            "case_id": case.id,
            "parent_id": p.parent_id,
            "block_type": p.spec.block_type,
            "title": p.spec.title,
            "position": last + 1 + p.index,
            "hidden": p.spec.hidden,
            "created_at": now,
            "created_by": actor.user_id,
            "updated_at": now,
        }
        for p in planned
    ]
    # Files first (all checked above), for their ids; should anything still fail, the transaction rolls back and
    # the attachments service deletes the objects it stored.
    element_rows = [
        [_element_row(session, actor, store, case, p, j, element) for j, element in enumerate(p.elements)]
        for p in planned
    ]
    for row, number in zip(block_rows, insert_with_handles(session, BLOCKS, block_rows), strict=True):
        row["number"] = number
    flat = [row for rows in element_rows for row in rows]
    for row, number in zip(flat, insert_with_handles(session, ELEMENTS, flat), strict=True):
        row["number"] = number
    summary = [
        {
            "id": str(p.id),
            "title": p.spec.title,
            "block_type": p.spec.block_type,
            "parent_block_id": str(p.parent_id) if p.parent_id else None,
        }
        for p in planned
    ]
    version = cases.record_change(session, actor, case, "blocks_added", {"blocks": [None, summary]})
    return [block_record(block, rows) for block, rows in zip(block_rows, element_rows, strict=True)], version


# Changing


def update_block(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    block_id: str | uuid.UUID,
    data: BlockUpdate,
    expected_version: int | None = None,
) -> tuple[BlockRecord, int]:
    """Change a block's title, hidden flag or position; returns the block and the case's version."""
    requested = data.changed_fields()
    for name, value in requested.items():
        if value is None:
            raise InvalidInput.field(name, _("must not be null"))
    case = cases.lock_case_for_change(session, actor, ref, expected_version)
    block = _find_block(session, case, block_id)
    changes = {name: [block[name], value] for name, value in requested.items() if block[name] != value}
    if not changes:
        return _with_elements(session, case, block), case.version
    values: dict[str, Any] = {field: new for field, (_old, new) in changes.items()}
    if "position" in changes:
        _move(session, case, block["position"], values["position"])
    values["updated_at"] = utcnow()
    session.execute(update(BLOCKS).where(BLOCKS.c.id == block["id"]).values(**values))
    version = cases.record_change(
        session, actor, case, "block_updated", {"block_id": [str(block["id"])] * 2, **changes}
    )
    return _with_elements(session, case, _find_block(session, case, block["id"])), version


def _move(session: Session, case: CaseIdentity, old: int, new: int) -> None:
    """Shift the blocks between old and new by one place, leaving `new` free for the moving block."""
    last = _last_position(session, case)
    if new > last:
        raise InvalidInput.field("position", _("must be between 1 and {last}, the case's number of blocks", last=last))
    in_case = BLOCKS.c.case_id == case.id
    if new < old:
        shift = update(BLOCKS).where(in_case, BLOCKS.c.position >= new, BLOCKS.c.position < old)
        session.execute(shift.values(position=BLOCKS.c.position + 1))
    else:
        shift = update(BLOCKS).where(in_case, BLOCKS.c.position > old, BLOCKS.c.position <= new)
        session.execute(shift.values(position=BLOCKS.c.position - 1))


# Removing


def delete_block(
    session: Session,
    actor: Actor,
    ref: str | uuid.UUID,
    block_id: str | uuid.UUID,
    expected_version: int | None = None,
) -> int:
    """Delete a block with its elements (its files stay files of the case); returns the case's version.
    A block_group that still holds blocks is refused with 409."""
    case = cases.lock_case_for_change(session, actor, ref, expected_version)
    block = _find_block(session, case, block_id)
    if block["block_type"] == "block_group":
        has_children = session.scalar(
            select(exists().where(BLOCKS.c.case_id == case.id, BLOCKS.c.parent_id == block["id"]))
        )
        if has_children:
            raise Conflict(_("block {id} is a block_group that still holds blocks; delete them first", id=block["id"]))
    session.execute(delete(ELEMENTS).where(ELEMENTS.c.block_id == block["id"]))
    session.execute(delete(BLOCKS).where(BLOCKS.c.id == block["id"]))
    session.execute(
        update(BLOCKS)
        .where(BLOCKS.c.case_id == case.id, BLOCKS.c.position > block["position"])
        .values(position=BLOCKS.c.position - 1)
    )
    removed = {"id": str(block["id"]), "title": block["title"], "block_type": block["block_type"]}
    return cases.record_change(session, actor, case, "block_deleted", {"block": [removed, None]})


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's blocks and their elements, as the case is deleted for good (casework.deletion)."""
    blocks = select(Block.id).where(Block.case_id == case_id).scalar_subquery()
    session.execute(delete(BlockElement.__table__).where(BlockElement.block_id.in_(blocks)))
    # Children before their groups: SQLite checks the parent_id key row by row.
    session.execute(delete(Block.__table__).where(Block.case_id == case_id, Block.parent_id.is_not(None)))
    session.execute(delete(Block.__table__).where(Block.case_id == case_id))
