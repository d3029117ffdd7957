"""What a workspace's cases use: their distinct tags and their reporters (the users who created them), for filter
pickers. Both are paged, so neither reads more than a page's worth of an index however many cases there are."""

from typing import Any

from sqlalchemy import exists, literal, select
from sqlalchemy.orm import Session

from casework.auth.models import User
from casework.auth.service import Actor
from casework.cases.models import Case, CaseTag
from casework.errors import InvalidInput
from casework.i18n import _
from casework.pagination import decode_cursor, encode_cursor, id_page


def list_tags(session: Session, actor: Actor, cursor: str | None, limit: int) -> tuple[list[str], str | None]:
    """The distinct tags of the workspace's cases (archived ones too), in the database's order of strings.

    A skip scan over (workspace, tag, case): each step seeks the first tag past the last one, so a page costs
    `limit` index seeks, not a read of every case's tags (PostgreSQL 15 and SQLite do not skip by themselves)."""
    actor.require_case_read()
    after = _tag_after(cursor)
    tags = CaseTag.__table__

    def first_past(previous: Any) -> Any:
        return (
            select(tags.c.tag)
            .where(tags.c.workspace_id == actor.workspace_id, tags.c.tag > previous)
            .order_by(tags.c.tag)
            .limit(1)
            .scalar_subquery()
        )

    start = select(first_past(literal(after)).label("tag"), literal(1).label("n")).cte("found", recursive=True)
    steps = select(first_past(start.c.tag), start.c.n + 1).where(start.c.tag.is_not(None), start.c.n <= limit)
    found = start.union_all(steps)
    rows = list(session.scalars(select(found.c.tag).where(found.c.tag.is_not(None)).order_by(found.c.n)))
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor([rows[limit - 1]])


def _tag_after(cursor: str | None) -> str:
    if cursor is None:
        # Every tag has at least one character, and sorts after the empty string.
        return ""
    values = decode_cursor(cursor)
    # PostgreSQL text holds no NUL: no tag has one.
    if len(values) != 1 or not isinstance(values[0], str) or "\x00" in values[0]:
        raise InvalidInput.field("cursor", _("not a cursor this server issued"))
    return values[0]


def list_reporters(session: Session, actor: Actor, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """The users of the workspace who created at least one of its cases, by id: each user one index probe."""
    actor.require_case_read()
    reported = exists().where(Case.workspace_id == actor.workspace_id, Case.author_id == User.id)
    query = select(User.id, User.name, User.email).where(User.workspace_id == actor.workspace_id, reported)
    return id_page(session, query, User.id, cursor, limit, scalars=False)
