"""Comments on a case: markdown bodies with mentions and files, edited or deleted by their author or an admin.

Adding a comment costs the same whatever the case holds: no statement reads or counts the case's comments
(the count lives on the case row, kept by record_change).
"""

import re
import uuid
from collections.abc import Iterable
from dataclasses import replace

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from casework.attachments import service as attachments
from casework.auth.service import Actor, act_for, existing_user_ids, user_ids_by_number
from casework.cases import responses
from casework.cases.records import CaseIdentity
from casework.cases.service import find_in_case, lock_case_for_change, record_change, visible_case
from casework.comments.models import Comment
from casework.comments.records import CommentAdded, CommentRecord
from casework.comments.schemas import CommentCreate, CommentUpdate
from casework.db.base import new_id, utcnow
from casework.db.handles import insert_with_handle
from casework.errors import Forbidden, InvalidInput, VersionConflict
from casework.i18n import _
from casework.pagination import id_page

# A mention names a user by UUID or by integer handle: <@user-UUID> or <@user-42>.
MENTION = re.compile(
    r"<@user-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]{1,18})>"
)


# Mentions and rendering


def mention_refs(body: str) -> list[str]:
    """The user references written as <@user-REF> in the body, each once, in order of first appearance."""
    return list(dict.fromkeys(match.group(1).lower() for match in MENTION.finditer(body)))


def _as_id(ref: str) -> uuid.UUID | None:
    return uuid.UUID(ref) if "-" in ref else None


def _resolve(session: Session, workspace_id: uuid.UUID, refs: Iterable[str], active_only: bool) -> dict[str, uuid.UUID]:
    """The user each reference names: ids as written (checked by the caller), handles looked up in one statement."""
    refs = list(refs)
    numbers = user_ids_by_number(session, workspace_id, [int(ref) for ref in refs if _as_id(ref) is None], active_only)
    resolved: dict[str, uuid.UUID] = {}
    for ref in refs:
        user = _as_id(ref) or numbers.get(int(ref))
        if user is not None:
            resolved[ref] = user
    return resolved


def _mentions(session: Session, workspace_id: uuid.UUID, body: str) -> tuple[list[str], tuple[str, ...]]:
    """The active users of the workspace the body mentions (ids, each once), and the references that named none."""
    refs = mention_refs(body)
    if not refs:
        return [], ()
    resolved = _resolve(session, workspace_id, refs, active_only=True)
    known = existing_user_ids(session, workspace_id, resolved.values())
    users = list(dict.fromkeys(str(resolved[ref]) for ref in refs if resolved.get(ref) in known))
    return users, tuple(ref for ref in refs if resolved.get(ref) not in known)


def _unresolved(session: Session, workspace_id: uuid.UUID, comments: list[Comment]) -> dict[uuid.UUID, tuple[str, ...]]:
    """For stored comments: the references of each body that are not among the users it mentioned when written."""
    refs = {c.id: mention_refs(c.body) for c in comments}
    resolved = _resolve(session, workspace_id, {r for found in refs.values() for r in found}, active_only=False)
    return {c.id: tuple(ref for ref in refs[c.id] if str(resolved.get(ref)) not in c.mentions) for c in comments}


# Raw HTML in the markdown is passed to the sanitiser, which keeps only its safe subset.
_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_html(body: str) -> str:
    """The markdown as HTML, sanitised by nh3: no scripts, no event handlers, no javascript: URLs."""
    return nh3.clean(_markdown.render(body))


# Reading


def _find_comment(session: Session, case: CaseIdentity, comment_id: str | uuid.UUID) -> Comment:
    return find_in_case(session, Comment, case, comment_id, "comment")


def _record(comment: Comment, file_ids: Iterable[uuid.UUID], unresolved: tuple[str, ...]) -> CommentRecord:
    return CommentRecord(
        id=comment.id,
        number=comment.number,
        case_id=comment.case_id,
        author_id=comment.author_id,
        version=comment.version,
        title=comment.title,
        public=comment.public,
        body=comment.body,
        mentions=tuple(uuid.UUID(user) for user in comment.mentions),
        unresolved_mentions=unresolved,
        file_ids=tuple(file_ids),
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        updated_by=comment.updated_by,
    )


def _records(session: Session, case: CaseIdentity, comments: list[Comment]) -> list[CommentRecord]:
    """The comments with their files: one statement for the files of them all."""
    files = attachments.file_ids_by_comment(session, case, [c.id for c in comments])
    unresolved = _unresolved(session, case.workspace_id, comments)
    return [_record(c, files[c.id], unresolved[c.id]) for c in comments]


def get_comment(session: Session, actor: Actor, ref: str, comment_id: str) -> CommentRecord:
    case = visible_case(session, actor, ref)
    return _records(session, case, [_find_comment(session, case, comment_id)])[0]


def list_comments(
    session: Session, actor: Actor, ref: str, cursor: str | None, limit: int
) -> tuple[list[CommentRecord], str | None]:
    """A page of the case's comments, oldest first."""
    case = visible_case(session, actor, ref)
    rows, next_cursor = id_page(session, select(Comment).where(Comment.case_id == case.id), Comment.id, cursor, limit)
    return _records(session, case, rows), next_cursor


def comments_at(
    session: Session, actor: Actor, ref: str, offset: int, limit: int, newest_first: bool = False
) -> tuple[list[CommentRecord], int]:
    """The case's comments from a position on (oldest first, or newest first), and how many the case has: for APIs
    that page by number."""
    case = visible_case(session, actor, ref)
    order = Comment.id.desc() if newest_first else Comment.id
    query = select(Comment).where(Comment.case_id == case.id).order_by(order).offset(offset).limit(limit)
    return _records(session, case, list(session.scalars(query))), case.comment_count


def find_comments(session: Session, case: CaseIdentity, comment_ids: Iterable[uuid.UUID]) -> list[CommentRecord]:
    """The case's comments among these ids, by id (ids of other cases are ignored)."""
    query = select(Comment).where(Comment.case_id == case.id, Comment.id.in_(list(comment_ids))).order_by(Comment.id)
    return _records(session, case, list(session.scalars(query)))


# Writing


def add_comment(
    session: Session,
    actor: Actor,
    ref: str,
    data: CommentCreate,
    expected_version: int | None = None,
) -> CommentAdded:
    case = lock_case_for_change(session, actor, ref, expected_version, comment=True)
    actor = act_for(session, actor, data.author, "author")
    now = utcnow()
    mentions, unresolved = _mentions(session, actor.workspace_id, data.body)
    comment_id = new_id()
    row = dict(
        id=comment_id,
        workspace_id=actor.workspace_id,
        case_id=case.id,
        author_id=actor.author_id,
        body=data.body,
        title=data.title,
        public=data.public,
        version=1,
        mentions=mentions,
        created_at=now,
        updated_at=now,
        updated_by=actor.author_id,
    )
    number = insert_with_handle(session, Comment.__table__, row)
    file_ids = sorted(data.file_ids)  # as every read lists them: by id
    if file_ids:
        attachments.attach_to_comment(session, case, comment_id, file_ids)
    comment = CommentRecord(
        id=comment_id,
        number=number,
        case_id=case.id,
        author_id=actor.author_id,
        version=1,
        title=data.title,
        public=data.public,
        body=data.body,
        mentions=tuple(uuid.UUID(user) for user in mentions),
        unresolved_mentions=unresolved,
        file_ids=tuple(file_ids),
        created_at=now,
        updated_at=now,
        updated_by=actor.author_id,
    )
    changes: dict[str, list[object]] = {"comment_id": [None, comment.id], "body": [None, comment.body]}
    if comment.title is not None:
        changes["title"] = [None, comment.title]
    if not comment.public:
        changes["public"] = [None, False]
    if file_ids:
        changes["file_ids"] = [None, file_ids]
    # Only staff write comments: the first one is the case's first response.
    responses.note_first_response(session, case, now)
    version = record_change(session, actor, case, "commented", changes, counts={"comment_count": 1})
    return CommentAdded(comment, version)


def _require_author_or_admin(actor: Actor, comment: Comment, refusal: str) -> None:
    if comment.author_id != actor.user_id and not actor.is_admin:
        raise Forbidden(refusal)


# What an edit may change, in the order an activity entry lists them.
_EDITABLE = ("body", "title", "public")


def edit_comment(
    session: Session,
    actor: Actor,
    ref: str,
    comment_id: str,
    data: CommentUpdate,
    expected_version: int | None = None,
) -> CommentRecord:
    """Changes the fields present; `expected_version` (If-Match) and `data.version` name the comment's version."""
    versions = {v for v in (expected_version, data.version) if v is not None}
    if len(versions) > 1:
        raise InvalidInput.field("version", _("If-Match and version name different versions"))
    case = lock_case_for_change(session, actor, ref, comment=True)
    comment = _find_comment(session, case, comment_id)
    _require_author_or_admin(actor, comment, _("only the comment's author or an admin may edit it"))
    if versions and (given := versions.pop()) != comment.version:
        raise VersionConflict(current=comment.version, given=given)
    current = _records(session, case, [comment])[0]
    requested = {name: getattr(data, name) for name in _EDITABLE if name in data.model_fields_set}
    changed = {name: value for name, value in requested.items() if getattr(current, name) != value}
    if not changed:
        return current
    now = utcnow()
    values = changed | {"version": current.version + 1, "updated_at": now, "updated_by": actor.user_id}
    if "body" in changed:
        values["mentions"], unresolved = _mentions(session, actor.workspace_id, changed["body"])
    # The case's lock serialises the writers of its comments: no one else can move this version meanwhile.
    session.execute(update(Comment.__table__).where(Comment.id == comment.id).values(**values))
    changes: dict[str, list[object]] = {"comment_id": [comment.id, comment.id]}
    changes |= {name: [getattr(current, name), value] for name, value in changed.items()}
    record_change(session, actor, case, "comment_edited", changes)
    if "mentions" in values:
        values["mentions"] = tuple(uuid.UUID(user) for user in values["mentions"])
        values["unresolved_mentions"] = unresolved
    return replace(current, **values)


def delete_comment(
    session: Session,
    actor: Actor,
    ref: str,
    comment_id: str,
    expected_version: int | None = None,
) -> int:
    """Removes the comment; the files it carried stay with the case. Returns the case's new version."""
    case = lock_case_for_change(session, actor, ref, expected_version, comment=True)
    comment = _find_comment(session, case, comment_id)
    _require_author_or_admin(actor, comment, _("only the comment's author or an admin may delete it"))
    files = attachments.detach_from_comment(session, case, comment.id)
    session.execute(delete(Comment.__table__).where(Comment.id == comment.id))
    changes: dict[str, list[object]] = {"comment_id": [comment.id, None], "body": [comment.body, None]}
    if files:
        changes["file_ids"] = [files, None]
    return record_change(session, actor, case, "comment_deleted", changes, counts={"comment_count": -1})


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's comments (their search index rows follow: see cases.text_search), as the case is deleted for good
    (casework.deletion)."""
    session.execute(delete(Comment.__table__).where(Comment.case_id == case_id))
