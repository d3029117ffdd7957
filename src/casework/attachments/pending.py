"""Stored objects written or doomed within a unit of work: those written are deleted if it rolls back (or a
savepoint current when they were written does), those doomed once it commits. Session events do it, so a caller
only registers the key."""

from collections.abc import Iterable
from dataclasses import dataclass, field

import structlog
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from casework.attachments.storage import FileStore

log = structlog.get_logger()


def written(session: Session, store: FileStore, key: str) -> None:
    """Register before writing the object: a write that fails half-way is cleaned up with the rest."""
    _pending(session).written.append((_current_transaction(session), store, key))


def doomed(session: Session, store: FileStore, keys: Iterable[str]) -> None:
    """The objects go once the transaction commits; a rollback keeps them."""
    transaction = _current_transaction(session)
    _pending(session).doomed.extend((transaction, store, key) for key in keys)


@dataclass
class _Pending:
    written: list[tuple[SessionTransaction, FileStore, str]] = field(default_factory=list)
    doomed: list[tuple[SessionTransaction, FileStore, str]] = field(default_factory=list)


_PENDING = "casework.attachments.pending"


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = _Pending()
        event.listen(session, "after_commit", _on_commit)
        event.listen(session, "after_soft_rollback", _on_rollback)
        event.listen(session, "after_transaction_end", _on_transaction_end)
    return pending


def _current_transaction(session: Session) -> SessionTransaction:
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        session.connection()  # begins the transaction the objects are tied to
        transaction = session.get_transaction()
    assert transaction is not None
    return transaction


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _on_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: its objects now live or die with the enclosing transaction
    pending = session.info[_PENDING]
    doomed, pending.written, pending.doomed = pending.doomed, [], []
    for _transaction, store, key in doomed:
        delete_object_quietly(store, key)


def _on_rollback(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:
        return  # the whole transaction: _on_transaction_end sees to it, also when a session closes without a rollback
    pending = session.info[_PENDING]
    lost = [entry for entry in pending.written if _within(entry[0], previous)]
    pending.written = [entry for entry in pending.written if not _within(entry[0], previous)]
    pending.doomed = [entry for entry in pending.doomed if not _within(entry[0], previous)]
    for _transaction, store, key in lost:
        delete_object_quietly(store, key)


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # A commit has already emptied the lists: whatever is left was written by a transaction that did not commit.
    pending = session.info[_PENDING]
    lost, pending.written, pending.doomed = pending.written, [], []
    for _transaction, store, key in lost:
        delete_object_quietly(store, key)


def delete_object_quietly(store: FileStore, key: str) -> None:
    """Delete an object; a failure is logged (the object is left over), never raised over the caller's outcome."""
    try:
        store.delete(key)
    except Exception:  # noqa: BLE001 - the outcome of the unit of work stands; the left-over object is logged
        log.exception("could not delete a stored file; it is left over in the store", key=key)
