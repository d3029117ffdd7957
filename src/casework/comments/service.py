"""Comments on a case: markdown bodies with mentions and files, edited or deleted by their author or an admin.

Adding a comment costs the same whatever the case holds: no statement reads or counts the case's comments
(the count lives on the case row, kept by record_change).
"""

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from casework.attachments.models import Attachment
from casework.auth.service import Actor, act_for, existing_user_ids
from casework.cases import responses
from casework.cases.models import Case
from casework.cases.service import find_in_case, visible_case, lock_case_for_change, record_change
from casework.comments.models import Comment
from casework.comments.schemas import CommentCreate, CommentUpdate
from casework.db.base import new_id, utcnow
from casework.db.handles import insert_with_handle
from casework.errors import Forbidden, InvalidInput, VersionConflict
from casework.i18n import _, joined
from casework.pagination import id_page

MENTION = re.compile(r"<@user-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})>")


@dataclass(frozen=True, slots=True)
class CommentResult:
    comment: Comment
    file_ids: list[uuid.UUID]
    case_version: int


# Mentions and rendering


def mentioned_ids(body: str) -> list[uuid.UUID]:
    """The ids written as <@user-ID> in the body, each once, in order of first appearance."""
    seen: dict[uuid.UUID, None] = {}
    for match in MENTION.finditer(body):
        seen.setdefault(uuid.UUID(match.group(1)), None)
    return list(seen)


def _mentions(session: Session, workspace_id: uuid.UUID, body: str) -> list[str]:
    """The mentioned ids that are active users of the workspace; any other id stays plain text."""
    candidates = mentioned_ids(body)
    if not candidates:
        return []
    known = existing_user_ids(session, workspace_id, candidates)
    return [str(user) for user in candidates if user in known]


# Raw HTML in the markdown is passed to the sanitiser, which keeps only its safe subset.
_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_html(body: str) -> str:
    """The markdown as HTML, sanitised by nh3: no scripts, no event handlers, no javascript: URLs."""
    return nh3.clean(_markdown.render(body))


# Reading


def _find_comment(session: Session, case: Case, comment_id: str | uuid.UUID) -> Comment:
    return find_in_case(session, Comment, case, comment_id, "comment")


def _files_of(session: Session, case: Case, comment_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
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
        files[comment_id].append(file_id)
    return files


def get_comment(session: Session, actor: Actor, ref: str, comment_id: str) -> CommentResult:
    case = visible_case(session, actor, ref)
    comment = _find_comment(session, case, comment_id)
    return CommentResult(comment, _files_of(session, case, [comment.id])[comment.id], case.version)


def list_comments(
    session: Session, actor: Actor, ref: str, cursor: str | None, limit: int
) -> tuple[list[CommentResult], str | None]:
    """A page of the case's comments, oldest first."""
    case = visible_case(session, actor, ref)
    rows, next_cursor = id_page(session, select(Comment).where(Comment.case_id == case.id), Comment.id, cursor, limit)
    files = _files_of(session, case, [c.id for c in rows])
    return [CommentResult(c, files[c.id], case.version) for c in rows], next_cursor


# Writing


def add_comment(
    session: Session,
    actor: Actor,
    ref: str,
    data: CommentCreate,
    expected_version: int | None = None,
) -> CommentResult:
    case = lock_case_for_change(session, actor, ref, expected_version, comment=True)
    actor = act_for(session, actor, data.author, "author")
    now = utcnow()
    comment = Comment(
        id=new_id(),
        workspace_id=actor.workspace_id,
        case_id=case.id,
        author_id=actor.author_id,
        body=data.body,
        title=data.title,
        public=data.public,
        version=1,
        mentions=_mentions(session, actor.workspace_id, data.body),
        created_at=now,
        updated_at=now,
        updated_by=actor.author_id,
    )
    comment.number = insert_with_handle(
        session,
        Comment.__table__,
        dict(
            id=comment.id,
            workspace_id=comment.workspace_id,
            case_id=comment.case_id,
            author_id=comment.author_id,
            body=comment.body,
            title=comment.title,
            public=comment.public,
            version=comment.version,
            mentions=comment.mentions,
            created_at=comment.created_at,
            updated_at=comment.updated_at,
            updated_by=comment.updated_by,
        ),
    )
    if data.file_ids:
        _attach_files(session, case, comment.id, data.file_ids)
    changes: dict[str, list[object]] = {"comment_id": [None, comment.id], "body": [None, comment.body]}
    if comment.title is not None:
        changes["title"] = [None, comment.title]
    if not comment.public:
        changes["public"] = [None, False]
    file_ids = sorted(data.file_ids)  # as every read lists them: by id
    if file_ids:
        changes["file_ids"] = [None, file_ids]
    # Only staff write comments: the first one is the case's first response.
    responses.note_first_response(session, case, now)
    version = record_change(session, actor, case, "commented", changes, counts={"comment_count": 1})
    return CommentResult(comment, file_ids, version)


def _attach_files(session: Session, case: Case, comment_id: uuid.UUID, file_ids: list[uuid.UUID]) -> None:
    """One UPDATE claims the files; if any is not a free file of this case, nothing is kept (the caller rolls back)."""
    claimed = session.execute(
        update(Attachment.__table__)
        .where(Attachment.id.in_(file_ids), Attachment.case_id == case.id, Attachment.comment_id.is_(None))
        .values(comment_id=comment_id)
    ).rowcount
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
) -> CommentResult:
    """Changes the fields present; `expected_version` (If-Match) and `data.version` name the comment's version."""
    versions = {v for v in (expected_version, data.version) if v is not None}
    if len(versions) > 1:
        raise InvalidInput.field("version", _("If-Match and version name different versions"))
    case = lock_case_for_change(session, actor, ref, comment=True)
    comment = _find_comment(session, case, comment_id)
    _require_author_or_admin(actor, comment, _("only the comment's author or an admin may edit it"))
    if versions and (given := versions.pop()) != comment.version:
        raise VersionConflict(current=comment.version, given=given)
    files = _files_of(session, case, [comment.id])[comment.id]
    requested = {name: getattr(data, name) for name in _EDITABLE if name in data.model_fields_set}
    changed = {name: value for name, value in requested.items() if getattr(comment, name) != value}
    if not changed:
        return CommentResult(comment, files, case.version)
    now = utcnow()
    values = changed | {"version": comment.version + 1, "updated_at": now, "updated_by": actor.user_id}
    if "body" in changed:
        values["mentions"] = _mentions(session, actor.workspace_id, changed["body"])
    # The case's lock serialises the writers of its comments: no one else can move this version meanwhile.
    session.execute(update(Comment.__table__).where(Comment.id == comment.id).values(**values))
    changes: dict[str, list[object]] = {"comment_id": [comment.id, comment.id]}
    changes |= {name: [getattr(comment, name), value] for name, value in changed.items()}
    # The answer's copy: detached, so that the session does not write the same row again at commit.
    session.expunge(comment)
    for name, value in values.items():
        setattr(comment, name, value)
    version = record_change(session, actor, case, "comment_edited", changes)
    return CommentResult(comment, files, version)


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
    files = _files_of(session, case, [comment.id])[comment.id]
    if files:
        session.execute(
            update(Attachment.__table__)
            .where(Attachment.case_id == case.id, Attachment.comment_id == comment.id)
            .values(comment_id=None)
        )
    session.execute(delete(Comment.__table__).where(Comment.id == comment.id))
    changes: dict[str, list[object]] = {"comment_id": [comment.id, None], "body": [comment.body, None]}
    if files:
        changes["file_ids"] = [files, None]
    return record_change(session, actor, case, "comment_deleted", changes, counts={"comment_count": -1})


def delete_for_case(session: Session, case_id: uuid.UUID) -> None:
    """The case's comments (their search index rows follow: see cases.text_search), as the case is deleted for good (casework.deletion)."""
    session.execute(delete(Comment.__table__).where(Comment.case_id == case_id))
