"""A case's first response: the first comment staff write sets first_response_at and stops the response clock."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.cases.records import LockedCase
from casework.db.statements import rows_affected
from casework.workflow.slas import service as slas


def note_first_response(session: Session, case: LockedCase, at: datetime) -> None:
    """A staff member answered: the case's first response, if it is one."""
    if case.first_response_at is not None:
        return
    written = rows_affected(
        session,
        update(Case.__table__).where(Case.id == case.id, Case.first_response_at.is_(None)).values(first_response_at=at),
    )
    case.first_response_at = at
    if written == 1:
        slas.stop_response_clock(session, case, at)
