"""The workspace's tag registry: each tag its cases have carried, once, with a stable integer handle.

A case's tags stay plain strings (cases.tags and case_tags, which lists filter on); the registry is kept beside them,
in the same transaction, for the APIs that address a tag by integer.
"""

import functools
import uuid
from collections.abc import Iterable

from sqlalchemy import String, Uuid, bindparam, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.models import Tag
from casework.db.base import new_id, utcnow
from casework.db.plain import PlainStatement
from casework.db.statements import insert_ignoring_duplicates
from casework.errors import NotFound


def register_tags(session: Session, workspace_id: uuid.UUID, names: Iterable[str]) -> None:
    """Adds the tags the registry lacks. Known tags are read first (an index lookup) rather than inserted and
    ignored, which on PostgreSQL would spend a handle each time; a new tag given by two writers at once is still kept
    once (the unique key decides)."""
    wanted = sorted(set(names))
    known: set[str] = set()
    for start in range(0, len(wanted), KNOWN_TAGS_AT_ONCE):
        some = wanted[start : start + KNOWN_TAGS_AT_ONCE]
        parameters = {"workspace_id": workspace_id, **{f"name_{i}": name for i, name in enumerate(some)}}
        known.update(name for (name,) in _known_tags(len(some)).all(session, parameters))
    now = utcnow()
    rows = [
        {"id": new_id(), "workspace_id": workspace_id, "name": name, "created_at": now}
        for name in wanted
        if name not in known
    ]
    insert_ignoring_duplicates(session, Tag.__table__, rows)


# A write names a tag or a few: the known ones are read on the driver by a statement for each count up to this (an
# expanding IN list would go through SQLAlchemy's execution, a tenth of a create), more in turns.
KNOWN_TAGS_AT_ONCE = 8


@functools.cache
def _known_tags(count: int) -> PlainStatement:
    # On the table: the mapped class's attributes would configure every mapper while this module is imported.
    tags = Tag.__table__.c
    return PlainStatement(
        select(tags.name).where(
            tags.workspace_id == bindparam("workspace_id", type_=Uuid()),
            tags.name.in_([bindparam(f"name_{i}", type_=String()) for i in range(count)]),
        )
    )


def find_tag(session: Session, actor: Actor, ref: int | str) -> Tag:
    """A tag of the actor's workspace by its handle (an int) or its name (a str, exactly as cases carry it)."""
    actor.require_case_read()
    named = Tag.number == ref if isinstance(ref, int) else Tag.name == ref
    tag = session.scalar(select(Tag).where(named, Tag.workspace_id == actor.workspace_id))
    if tag is None:
        raise NotFound("tag", str(ref))
    return tag
