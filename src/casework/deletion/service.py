"""Deleting a case for good: its content, its files, its search index rows and its log, leaving one entry.

The case aggregate cannot do this itself: the content packages build on cases (they import it), so the case
service importing them back would be a cycle. This module sits above both, in the layer of the features acting
on cases, and calls each package's own delete_for_case: every table is still written by its own package, and a
package added later without its delete here fails the deletion on its foreign key rather than leaving rows.
The search index rows follow their rows (SQLite: the FTS5 triggers; PostgreSQL: generated columns).
"""

import uuid

from sqlalchemy.orm import Session

from casework.activity import service as activity
from casework.alerts import service as alerts
from casework.attachments import service as attachments
from casework.attachments.storage import FileStore
from casework.auth.service import Actor
from casework.blocks import service as blocks
from casework.cases import lifecycle
from casework.comments import service as comments
from casework.insights import service as insights
from casework.links import service as links
from casework.tasks import service as tasks
from casework.watchers import service as watchers
from casework.workflow.fields import service as fields
from casework.workflow.overrides import service as overrides
from casework.workflow.slas import service as slas


def delete_case(
    session: Session, actor: Actor, store: FileStore, ref: str | uuid.UUID, expected_version: int | None = None
) -> None:
    """Delete the case and everything of it; its stored files go once this commits. Admins always may, managers
    where the project's managers_may_delete says so. The workspace's log keeps a `case_deleted` entry."""
    case = lifecycle.lock_for_deletion(session, actor, ref, expected_version)
    # Rows that point at other content first: block elements at files, actions at comments and overrides,
    # files at comments.
    blocks.delete_for_case(session, case.id)
    overrides.delete_for_case(session, case.id)
    attachments.delete_for_case(session, store, case.id)
    comments.delete_for_case(session, case.id)
    alerts.delete_for_case(session, case.id)
    insights.delete_for_case(session, case.id)
    tasks.delete_for_case(session, case.id)
    watchers.delete_for_case(session, case.id)
    links.delete_for_case(session, actor, case)
    slas.delete_for_case(session, case.id)
    fields.delete_for_case(session, case.id)
    activity.delete_for_case(session, case.id)
    lifecycle.delete_case_row(session, actor, case)
