"""The vendor documents of a workspace: any reader sees them, admins and managers write them (they configure the
workspace, as the workflow does). A document is replaced whole per scope, or changed at a given version."""

import uuid
from collections.abc import Collection
from dataclasses import replace
from typing import Any

import orjson
from sqlalchemy import Uuid, bindparam, delete, select
from sqlalchemy.orm import Session

from casework.auth.service import Actor, raise_generation
from casework.db.base import new_id, utcnow
from casework.errors import InvalidInput, NotFound, VersionConflict
from casework.i18n import _
from casework.inputs import nul_at
from casework.projects.models import Workspace
from casework.vendor_settings.models import VendorSetting
from casework.vendor_settings.records import VendorSettingRecord


def _record(row: VendorSetting) -> VendorSettingRecord:
    return VendorSettingRecord(
        id=row.id,
        dialect=row.dialect,
        scope=row.scope,
        data=row.data,
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _refuse_nul(data: dict[str, Any]) -> None:
    """PostgreSQL's JSON cannot hold a NUL character: refused, naming where it is, on both databases."""
    where = nul_at(data)
    if where is not None:
        raise InvalidInput.field(where, _("must not contain NUL characters"))


def list_settings(
    session: Session, actor: Actor, dialect: str, scopes: Collection[str] | None = None
) -> list[VendorSettingRecord]:
    """The dialect's documents of the caller's workspace, oldest first; `scopes` keeps those of the scopes named.

    Read once per process and auth generation (every write of a document raises it): the Kibana dialect reads an
    owner's document for every answer. A unit of work that wrote a document reads them itself."""
    actor.require_case_read()
    key = (actor.workspace_id, dialect, None if scopes is None else tuple(sorted(set(scopes))))
    generation = None if session.info.get(_WROTE) else actor.generation
    cached = _read_lately.get(key)
    if generation is not None and cached is not None and cached[0] == generation:
        return [_own_copy(record) for record in cached[1]]
    parameters: dict[str, Any] = {"workspace_id": actor.workspace_id, "dialect": dialect}
    query = _SETTINGS
    if scopes is not None:
        # No scope holds a NUL (PostgreSQL text cannot), so such a name matches nothing.
        query, parameters["scopes"] = _SETTINGS_OF_SCOPES, [scope for scope in scopes if "\x00" not in scope]
    # Plain rows, no entities.
    records = [VendorSettingRecord(**row._mapping) for row in session.connection().execute(query, parameters)]
    if generation is not None:
        if len(_read_lately) >= _MAX_READ_LATELY:
            _read_lately.clear()
        _read_lately[key] = (generation, tuple(records))
        return [_own_copy(record) for record in records]
    return records


# The documents this process read lately: (workspace, dialect, scopes) -> (the generation they were read at, them).
_read_lately: dict[tuple[uuid.UUID, str, tuple[str, ...] | None], tuple[int, tuple[VendorSettingRecord, ...]]] = {}
_MAX_READ_LATELY = 4096
# session.info's mark of a unit of work that wrote a document.
_WROTE = "vendor_settings_written"


def _own_copy(record: VendorSettingRecord) -> VendorSettingRecord:
    """The record with a document of its own: the caller may change it, the cached one stays as read."""
    return replace(record, data=orjson.loads(orjson.dumps(record.data)))


def _written(session: Session) -> None:
    """A document changes in this unit of work: every process reads the documents again after it commits, and this
    unit of work reads them itself until then."""
    raise_generation(session)
    session.info[_WROTE] = True


_RECORD_COLUMNS = (
    VendorSetting.id,
    VendorSetting.dialect,
    VendorSetting.scope,
    VendorSetting.data,
    VendorSetting.version,
    VendorSetting.created_at,
    VendorSetting.created_by,
    VendorSetting.updated_at,
    VendorSetting.updated_by,
)

# Built once: a statement's cache key is worked out again for every new statement object.
_SETTINGS = (
    select(*_RECORD_COLUMNS)
    .where(
        VendorSetting.workspace_id == bindparam("workspace_id", type_=Uuid()),
        VendorSetting.dialect == bindparam("dialect"),
    )
    .order_by(VendorSetting.created_at, VendorSetting.id)
)
_SETTINGS_OF_SCOPES = _SETTINGS.where(VendorSetting.scope.in_(bindparam("scopes", expanding=True)))


def project_scope(project_id: uuid.UUID) -> str:
    """The scope of a vendor document about one project (deleted with it)."""
    return f"project:{project_id}"


def delete_scope(session: Session, workspace_id: uuid.UUID, scope: str) -> None:
    """Every dialect's document of the scope, as what it configures goes (a project's, as the project is deleted):
    for the service that deletes it, which has checked who may."""
    _written(session)
    session.execute(
        delete(VendorSetting).where(VendorSetting.workspace_id == workspace_id, VendorSetting.scope == scope)
    )


def _row(
    session: Session, actor: Actor, dialect: str, setting_id: uuid.UUID | str, lock: bool = False
) -> VendorSetting:
    try:
        ident = setting_id if isinstance(setting_id, uuid.UUID) else uuid.UUID(setting_id)
    except ValueError:
        raise NotFound("vendor setting", setting_id) from None
    query = select(VendorSetting).where(
        VendorSetting.id == ident, VendorSetting.workspace_id == actor.workspace_id, VendorSetting.dialect == dialect
    )
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound("vendor setting", setting_id)
    return row


def get_setting(session: Session, actor: Actor, dialect: str, setting_id: uuid.UUID | str) -> VendorSettingRecord:
    actor.require_case_read()
    return _record(_row(session, actor, dialect, setting_id))


def replace_setting(
    session: Session, actor: Actor, dialect: str, scope: str, data: dict[str, Any]
) -> VendorSettingRecord:
    """A new document for the scope, with a new id, in place of the one it held (Kibana's POST /configure)."""
    actor.require_case_admin()
    _refuse_nul(data)
    _written(session)
    # Two replacements of one scope at once: the second waits, then replaces the first's.
    session.execute(select(Workspace.id).where(Workspace.id == actor.workspace_id).with_for_update())
    session.execute(
        delete(VendorSetting).where(
            VendorSetting.workspace_id == actor.workspace_id,
            VendorSetting.dialect == dialect,
            VendorSetting.scope == scope,
        )
    )
    row = VendorSetting(
        id=new_id(),
        workspace_id=actor.workspace_id,
        dialect=dialect,
        scope=scope,
        data=data,
        version=1,
        created_at=utcnow(),
        created_by=actor.user_id,
        updated_at=None,
        updated_by=None,
    )
    session.add(row)
    session.flush()
    return _record(row)


def update_setting(
    session: Session, actor: Actor, dialect: str, setting_id: uuid.UUID | str, version: int, data: dict[str, Any]
) -> VendorSettingRecord:
    """The document with `data` in place of its own, if `version` is still its version."""
    actor.require_case_admin()
    _refuse_nul(data)
    row = _row(session, actor, dialect, setting_id, lock=True)
    if row.version != version:
        raise VersionConflict(current=row.version, given=version)
    _written(session)
    row.data = data
    row.version += 1
    row.updated_at = utcnow()
    row.updated_by = actor.user_id
    session.flush()
    return _record(row)
