"""The workspace's tag registry: each tag its cases have carried, once, with a stable integer handle.

A case's tags stay plain strings (cases.tags and case_tags, which lists filter on); the registry is kept beside them,
in the same transaction, for the APIs that address a tag by integer.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy import String, Uuid, bindparam, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor
from casework.cases.models import Tag
from casework.db.base import new_id, utcnow
from casework.db.statements import insert_ignoring_duplicates
from casework.errors import NotFound


def register_tags(session: Session, workspace_id: uuid.UUID, names: Iterable[str]) -> None:
    """Adds the tags the registry lacks. Known tags are read first (an index lookup) rather than inserted and
    ignored, which on PostgreSQL would spend a handle each time; a new tag given by two writers at once is still kept
    once (the unique key decides)."""
    wanted = set(names)
    if not wanted:
        return
    known = session.scalars(_KNOWN_TAGS, {"workspace_id": workspace_id, "names": list(wanted)})
    now = utcnow()
    rows = [
        {"id": new_id(), "workspace_id": workspace_id, "name": name, "created_at": now}
        for name in sorted(wanted.difference(known))
    ]
    insert_ignoring_duplicates(session, Tag.__table__, rows)


# Built once: a statement's cache key is worked out again for every new statement object (every tagged write reads it).
# On the table: the mapped class's attributes would configure every mapper while this module is imported.
_TAGS = Tag.__table__.c
_KNOWN_TAGS = select(_TAGS.name).where(
    _TAGS.workspace_id == bindparam("workspace_id", type_=Uuid()),
    _TAGS.name.in_(bindparam("names", type_=String(), expanding=True)),
)


def find_tag(session: Session, actor: Actor, ref: int | str) -> Tag:
    """A tag of the actor's workspace by its handle (an int) or its name (a str, exactly as cases carry it)."""
    actor.require_case_read()
    named = Tag.number == ref if isinstance(ref, int) else Tag.name == ref
    tag = session.scalar(select(Tag).where(named, Tag.workspace_id == actor.workspace_id))
    if tag is None:
        raise NotFound("tag", str(ref))
    return tag
