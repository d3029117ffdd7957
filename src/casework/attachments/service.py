"""Files of a case: every rule about storing, listing, reading and deleting them.

Rules: at most MAX_FILES_PER_CASE (100) files per case (LimitExceeded naming "files", 422), each at most
store.max_file_bytes (CASEWORK_MAX_FILE_BYTES; PayloadTooLarge naming "file", 413). The name is sanitised
(sanitize_filename), the content type detected from the bytes (detect_content_type), the SHA-256 computed here.
Objects are keyed `<workspace id>/<case id>/<file id>`. A failed write leaves no row and no object behind.

Contract for other services (e.g. the blocks helper storing Tines file elements given as base64):

    from casework.attachments import service as attachments
    from casework.http import FileStoreDep     # route dependency; the store is request.app.state.file_store

    case = lock_case_for_change(session, actor, ref, expected_version)
    attachment = attachments.add_file(
        session, actor, store, case, filename, data, record=True,
    )  # -> Attachment (id, filename, content_type, size, sha256, storage_key, ...)

- add_file checks the name, the size and the case's room (the errors above), writes the object to the store,
  then inserts the row and raises file_count by one.
- record=True: it also calls record_change(..., "file_added", {file_id, filename, size, sha256, content_type}),
  so the case's version bumps and the activity is logged. record=False: add_file still keeps file_count right
  (through cases.service.adjust_counts), but the version bump and the activity are the caller's: call
  record_change yourself and do NOT pass file_count in its counts. Several add_file calls in one unit of work
  each see the files added before.
- Cleanup: nothing for the caller to do. add_file registers the written key on the session (session.info) and
  session events delete the object if the transaction rolls back (or the session closes without committing),
  or if the savepoint (begin_nested) current when add_file ran rolls back; a commit forgets the registration.
  Never call store.put directly in a unit of work, or this guarantee is lost.
- remove_file(session, actor, store, case, file_id, record=True) -> Attachment deletes a row
  (uploader or admin only; Conflict while a block element shows the file) inside the caller's unit of work;
  its object is deleted only once the transaction commits (a session event as well). record=False as above
  (file_count is lowered by remove_file itself).
- attach_to_comment(session, case, comment_id, file_ids) gives free files of the case to a new comment (the
  comments service calls it: this package alone writes the table); detach_from_comment frees them again.
- Store I/O within a unit of work is blocking (on SQLite the work runs on the event loop's thread): fine for the
  sizes a JSON request carries; the native upload route instead writes the object first, off the loop
  (upload_file below), then runs the row's unit of work, and deletes the object if that fails.
"""

import base64
import binascii
import hashlib
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import anyio
import filetype
import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from casework.attachments import pending
from casework.attachments.models import Attachment
from casework.attachments.records import FileAdded, FileRecord
from casework.attachments.storage import FileStore, ObjectMissing
from casework.auth.service import Actor
from casework.blocks.models import BlockElement
from casework.cases.models import Case
from casework.cases.records import CaseIdentity, LockedCase
from casework.cases.service import adjust_counts, find_in_case, lock_case_for_change, record_change, visible_case
from casework.db.base import new_id, utcnow
from casework.db.database import Database
from casework.db.handles import insert_with_handle
from casework.db.statements import rows_affected
from casework.errors import Conflict, Forbidden, InvalidInput, LimitExceeded, NotFound, PayloadTooLarge
from casework.i18n import _, joined
from casework.pagination import id_page

log = structlog.get_logger()

MAX_FILES_PER_CASE = 100
MAX_FILENAME_CHARS = 255
# An extension this short is kept when a long name is cut to MAX_FILENAME_CHARS.
_MAX_KEPT_EXTENSION = 16
OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain"
# Removed from names: controls (NUL included), format characters (bidi overrides that disguise an extension),
# lone surrogates, and line and paragraph separators.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


# Checking and describing the bytes


@dataclass(frozen=True, slots=True)
class PreparedFile:
    """A file checked and described, not yet stored."""

    filename: str
    data: bytes
    size: int
    sha256: str
    content_type: str


def sanitize_filename(name: str | None) -> str:
    """The name without directories, control or format characters, at most 255 characters (the extension kept)."""
    normal = unicodedata.normalize("NFC", name or "")
    cleaned = "".join(ch for ch in normal if unicodedata.category(ch) not in _REMOVED_CATEGORIES)
    cleaned = cleaned.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if cleaned in ("", ".", ".."):
        raise InvalidInput.field(
            "filename", _("must name a file (nothing is left once directories and control characters are removed)")
        )
    if len(cleaned) > MAX_FILENAME_CHARS:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and stem and len(extension) <= _MAX_KEPT_EXTENSION:
            cleaned = stem[: MAX_FILENAME_CHARS - len(extension) - 1].rstrip() + "." + extension
        else:
            cleaned = cleaned[:MAX_FILENAME_CHARS]
    return cleaned


def detect_content_type(data: bytes) -> str:
    """From the bytes alone: a known signature, else text/plain for UTF-8 text without NUL, else octet-stream."""
    kind = filetype.guess(data) if data else None
    if kind is not None:
        return str(kind.mime)
    if data and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return OCTET_STREAM
        return TEXT_PLAIN
    return OCTET_STREAM


def too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge.field("file", _("at most {limit} bytes (CASEWORK_MAX_FILE_BYTES)", limit=max_bytes))


def prepare_file(filename: str | None, data: bytes, max_bytes: int) -> PreparedFile:
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    name = sanitize_filename(filename)
    return PreparedFile(name, data, len(data), hashlib.sha256(data).hexdigest(), detect_content_type(data))


def decode_base64(text: str, max_bytes: int) -> bytes:
    """Standard or URL-safe base64, padded or not, line breaks allowed; refused past max_bytes before decoding."""
    compact = "".join(text.split())
    if len(compact) // 4 * 3 > max_bytes + 2:
        raise too_large(max_bytes)
    padded = compact + "=" * (-len(compact) % 4)
    try:
        if "-" in padded or "_" in padded:
            data = base64.b64decode(padded, altchars=b"-_", validate=True)
        else:
            data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput.field("content_base64", _("not valid base64")) from None
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    return data


def storage_key(workspace_id: uuid.UUID, case_id: uuid.UUID, file_id: uuid.UUID) -> str:
    return f"{workspace_id}/{case_id}/{file_id}"


# Writing within a unit of work


def _check_room(session: Session, case: CaseIdentity, adding: int = 1) -> None:
    current = session.scalar(select(Case.file_count).where(Case.id == case.id)) or 0
    if current + adding > MAX_FILES_PER_CASE:
        raise LimitExceeded("files", MAX_FILES_PER_CASE, _("files per case"))


def _file_changes(attachment: Attachment, adding: bool) -> dict[str, list[object]]:
    values = {
        "file_id": attachment.id,
        "filename": attachment.filename,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "content_type": attachment.content_type,
    }
    return {name: [None, value] if adding else [value, None] for name, value in values.items()}


def _insert(
    session: Session,
    actor: Actor,
    case: LockedCase,
    prepared: PreparedFile,
    file_id: uuid.UUID,
    key: str,
    record: bool,
) -> Attachment:
    attachment = Attachment(
        id=file_id,
        workspace_id=actor.workspace_id,
        case_id=case.id,
        comment_id=None,
        filename=prepared.filename,
        content_type=prepared.content_type,
        size=prepared.size,
        sha256=prepared.sha256,
        storage_key=key,
        uploaded_by=actor.user_id,
        created_at=utcnow(),
    )
    attachment.number = insert_with_handle(
        session,
        Attachment.__table__,
        dict(
            id=attachment.id,
            workspace_id=attachment.workspace_id,
            case_id=attachment.case_id,
            comment_id=attachment.comment_id,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
            storage_key=attachment.storage_key,
            uploaded_by=attachment.uploaded_by,
            created_at=attachment.created_at,
        ),
    )
    if record:
        changes = _file_changes(attachment, adding=True)
        record_change(session, actor, case, "file_added", changes, {"file_count": 1})
    else:
        adjust_counts(session, case, {"file_count": 1})
    return attachment


def add_file(
    session: Session,
    actor: Actor,
    store: FileStore,
    case: LockedCase,
    filename: str | None,
    data: bytes,
    record: bool = True,
) -> Attachment:
    """Store the bytes as a file of the locked case, within the caller's unit of work (see the module docstring)."""
    actor.require_case_write()
    prepared = prepare_file(filename, data, store.max_file_bytes)
    _check_room(session, case)
    file_id = new_id()
    key = storage_key(actor.workspace_id, case.id, file_id)
    pending.written(session, store, key)
    store.put(key, data, prepared.content_type)
    return _insert(session, actor, case, prepared, file_id, key, record)


def _find_file(session: Session, case: CaseIdentity, file_id: str | uuid.UUID) -> Attachment:
    return find_in_case(session, Attachment, case, file_id, "file")


def _delete_row(session: Session, actor: Actor, case: LockedCase, file_id: str | uuid.UUID, record: bool) -> Attachment:
    attachment = _find_file(session, case, file_id)
    if attachment.uploaded_by != actor.user_id and not actor.is_admin:
        raise Forbidden(_("only the file's uploader or an admin may delete it"))
    shown = session.scalar(select(BlockElement.id).where(BlockElement.attachment_id == attachment.id).limit(1))
    if shown is not None:
        raise Conflict(_("a block of the case shows this file; remove it from the block first"))
    session.execute(delete(Attachment.__table__).where(Attachment.id == attachment.id))
    if record:
        changes = _file_changes(attachment, adding=False)
        record_change(session, actor, case, "file_deleted", changes, {"file_count": -1})
    else:
        adjust_counts(session, case, {"file_count": -1})
    return attachment


def remove_file(
    session: Session,
    actor: Actor,
    store: FileStore,
    case: LockedCase,
    file_id: str | uuid.UUID,
    record: bool = True,
) -> Attachment:
    """Delete a file of the locked case within the caller's unit of work; its object goes once the work commits."""
    actor.require_case_write()
    attachment = _delete_row(session, actor, case, file_id, record)
    pending.doomed(session, store, [attachment.storage_key])
    return attachment


# The native flows: the object is written outside the unit of work (off the event loop, without holding the
# case's lock during the upload), so each flow is two steps with its own cleanup.


def check_upload(session: Session, actor: Actor, ref: str, expected_version: int | None) -> uuid.UUID:
    """Refuse early what the write would refuse, so that no object is written for it; returns the case's id."""
    case = lock_case_for_change(session, actor, ref, expected_version)
    _check_room(session, case)
    return case.id


def record_upload(
    session: Session,
    actor: Actor,
    case_id: uuid.UUID,
    prepared: PreparedFile,
    file_id: uuid.UUID,
    key: str,
    expected_version: int | None = None,
) -> FileAdded:
    """The row of an object already written under key; the caller deletes the object if this raises."""
    case = lock_case_for_change(session, actor, case_id, expected_version)
    _check_room(session, case)
    attachment = _insert(session, actor, case, prepared, file_id, key, record=True)
    return FileAdded(_record(attachment), case.version)


async def upload_file(
    db: Database,
    store: FileStore,
    actor: Actor,
    ref: str,
    filename: str | None,
    data: bytes,
    expected_version: int | None = None,
) -> FileAdded:
    """Write the object, then the row; if the row's unit of work fails for any reason, the object is deleted."""
    prepared = await anyio.to_thread.run_sync(prepare_file, filename, data, store.max_file_bytes)
    case_id = await db.read(check_upload, actor, ref, expected_version)
    file_id = new_id()
    key = storage_key(actor.workspace_id, case_id, file_id)
    try:
        await anyio.to_thread.run_sync(store.put, key, prepared.data, prepared.content_type)
        return await db.write(record_upload, actor, case_id, prepared, file_id, key, expected_version)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(pending.delete_object_quietly, store, key)
        raise


def delete_row(
    session: Session,
    actor: Actor,
    ref: str,
    file_id: str,
    expected_version: int | None = None,
) -> tuple[str, int]:
    """Delete the row; returns its storage key (for the caller to delete once this commits) and the case's version."""
    case = lock_case_for_change(session, actor, ref, expected_version)
    attachment = _delete_row(session, actor, case, file_id, record=True)
    return attachment.storage_key, case.version


async def delete_file(
    db: Database,
    store: FileStore,
    actor: Actor,
    ref: str,
    file_id: str,
    expected_version: int | None = None,
) -> int:
    """Delete the row, and after its commit the object; returns the case's new version."""
    key, version = await db.write(delete_row, actor, ref, file_id, expected_version)
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(pending.delete_object_quietly, store, key)
    return version


# Comments carrying files


def attach_to_comment(session: Session, case: CaseIdentity, comment_id: uuid.UUID, file_ids: list[uuid.UUID]) -> None:
    """One UPDATE gives the files to the comment; if any is not a free file of this case, InvalidInput naming
    file_ids, and nothing is kept (the caller rolls back)."""
    claimed = rows_affected(
        session,
        update(Attachment.__table__)
        .where(Attachment.id.in_(file_ids), Attachment.case_id == case.id, Attachment.comment_id.is_(None))
        .values(comment_id=comment_id),
    )
    if claimed == len(file_ids):
        return
    # The refusal path only: say which ids are wrong.
    found = dict(
        session.execute(
            select(Attachment.id, Attachment.comment_id).where(
                Attachment.id.in_(file_ids), Attachment.case_id == case.id
            )
        ).all()
    )
    unknown = [str(f) for f in file_ids if f not in found]
    taken = [str(f) for f in file_ids if f in found and found[f] != comment_id]
    problems = []
    if unknown:
        problems.append(_("not files of this case: {ids}", ids=", ".join(unknown)))
    if taken:
        problems.append(_("already carried by another comment: {ids}", ids=", ".join(taken)))
    raise InvalidInput.field("file_ids", joined(problems) if problems else _("files changed meanwhile; try again"))


def detach_from_comment(session: Session, case: CaseIdentity, comment_id: uuid.UUID) -> list[uuid.UUID]:
    """The comment's files stay with the case, carried by none; returns their ids, in order."""
    freed = session.scalars(
        update(Attachment.__table__)
        .where(Attachment.case_id == case.id, Attachment.comment_id == comment_id)
        .values(comment_id=None)
        .returning(Attachment.id)
    )
    return sorted(freed)


def file_ids_by_comment(
    session: Session, case: CaseIdentity, comment_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The ids of the files each comment carries, in order; one statement for all the comments."""
    ids = list(comment_ids)
    files: dict[uuid.UUID, list[uuid.UUID]] = {c: [] for c in ids}
    if not ids:
        return files
    rows = session.execute(
        select(Attachment.comment_id, Attachment.id)
        .where(Attachment.case_id == case.id, Attachment.comment_id.in_(ids))
        .order_by(Attachment.id)
    )
    for comment_id, file_id in rows:
        assert comment_id is not None  # IN matches no NULL
        files[comment_id].append(file_id)
    return files


# Reading


def _record(attachment: Attachment) -> FileRecord:
    return FileRecord(
        id=attachment.id,
        number=attachment.number,
        case_id=attachment.case_id,
        comment_id=attachment.comment_id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_by=attachment.uploaded_by,
        created_at=attachment.created_at,
    )


def get_file(session: Session, actor: Actor, ref: str, file_id: str) -> FileRecord:
    return _record(_find_file(session, visible_case(session, actor, ref), file_id))


def list_files(
    session: Session, actor: Actor, ref: str, cursor: str | None, limit: int
) -> tuple[list[FileRecord], str | None]:
    """A page of the case's files, oldest first."""
    case = visible_case(session, actor, ref)
    query = select(Attachment).where(Attachment.case_id == case.id)
    rows, next_cursor = id_page(session, query, Attachment.id, cursor, limit)
    return [_record(row) for row in rows], next_cursor


def find_files(session: Session, case: CaseIdentity, file_ids: Iterable[uuid.UUID]) -> list[FileRecord]:
    """The case's files among these ids, by id (ids of other cases are ignored)."""
    query = select(Attachment).where(Attachment.case_id == case.id, Attachment.id.in_(list(file_ids)))
    return [_record(row) for row in session.scalars(query.order_by(Attachment.id))]


def _stored_file(session: Session, actor: Actor, ref: str, file_id: str) -> tuple[FileRecord, str]:
    attachment = _find_file(session, visible_case(session, actor, ref), file_id)
    return _record(attachment), attachment.storage_key


async def open_content(
    db: Database, store: FileStore, actor: Actor, ref: str, file_id: str
) -> tuple[FileRecord, Iterator[bytes]]:
    """The file and its bytes as chunks, read from the store as they are consumed."""
    file, key = await db.read(_stored_file, actor, ref, file_id)
    try:
        chunks = await anyio.to_thread.run_sync(store.open, key)
    except ObjectMissing:
        log.error("a stored file is missing", file_id=str(file.id), key=key)
        raise NotFound("file content", file.id) from None
    return file, chunks


def delete_for_case(session: Session, store: FileStore, case_id: uuid.UUID) -> None:
    """The case's files, as the case is deleted for good (casework.deletion): the rows now, the objects once the
    transaction commits (a failed object delete is logged and leaves the deletion standing)."""
    keys = session.scalars(
        delete(Attachment.__table__).where(Attachment.case_id == case_id).returning(Attachment.storage_key)
    ).all()
    pending.doomed(session, store, keys)
