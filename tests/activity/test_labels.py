"""Every activity entry carries a label in the caller's language, and no code can log an action without one."""

import ast
import uuid

import pytest
from sqlalchemy import func, insert, select

from casework.activity import service as activity_service
from casework.activity.labels import ACTION_LABELS, UnlabelledAction, action_label
from casework.activity.models import Activity
from casework.auth.service import SCOPES, Actor
from casework.db.base import new_id
from casework.i18n import catalogue
from casework.i18n.messages import SOURCE_DIR
from casework.workflow.overrides.service import DECISIONS
from tests.helpers import activity, create, patch

FR = {"Accept-Language": "fr"}
# The log writers; each takes the action as its fourth argument.
WRITERS = {"record", "record_change", "record_system"}


def test_every_action_label_has_french():
    french = catalogue("fr")
    assert [str(label) for label in ACTION_LABELS.values() if not french.get(label.template)] == []
    assert action_label("status_changed", "en") == "Status changed"
    assert action_label("status_changed", "fr") == "Statut modifié"


def written_literals() -> set[str]:
    """The action names the code passes to a log writer as literals (also inside `a if x else b`)."""
    names = set()
    for path in SOURCE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or len(node.args) < 4:
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if called in WRITERS:
                names |= {c.value for c in ast.walk(node.args[3]) if isinstance(c, ast.Constant)}
    return names


def test_every_action_written_as_a_literal_or_by_a_decision_has_a_label():
    written = written_literals() | {entry for _state, entry in DECISIONS.values()}
    assert {"created", "archived", "restored", "commented", "linked", "override_requested"} <= written
    assert sorted(written - set(ACTION_LABELS)) == []


def admin(tenant) -> Actor:
    return Actor(tenant.workspace_id, tenant.admin.id, "admin", frozenset(SCOPES))


def entries_of(db, case_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Activity).where(Activity.case_id == case_id)
    return db.run_sync(lambda s: s.scalar(query))


async def test_record_refuses_an_action_without_a_label_and_writes_nothing(client, tenant, db):
    case_id = uuid.UUID((await create(client))["id"])
    with pytest.raises(UnlabelledAction, match="made_up"):
        db.run_sync(lambda s: activity_service.record(s, admin(tenant), case_id, "made_up", {}))
    with pytest.raises(UnlabelledAction, match="made_up"):
        db.run_sync(lambda s: activity_service.record_system(s, tenant.workspace_id, case_id, "made_up", {}, "worker"))
    assert entries_of(db, case_id) == 1


async def test_activity_entries_are_labelled_in_english_by_default_and_in_french_on_request(client):
    case = await create(client)
    await patch(client, case, {"status": "in_progress"})
    await client.post(f"/cases/{case['id']}/comments", json={"body": "Called the bank."})
    english = await activity(client, case)
    assert [(e["action"], e["label"]) for e in english] == [
        ("created", "Case created"),
        ("status_changed", "Status changed"),
        ("commented", "Comment added"),
    ]
    response = await client.get(f"/cases/{case['id']}/activity", headers=FR)
    assert response.status_code == 200, response.text
    assert [e["label"] for e in response.json()["items"]] == ["Dossier créé", "Statut modifié", "Commentaire ajouté"]
    assert [e["action"] for e in response.json()["items"]] == [e["action"] for e in english]


async def test_an_entry_whose_action_lost_its_label_shows_its_code(client, tenant, db):
    """Entries already written keep reading after an action is renamed or dropped from the table."""
    case = await create(client)
    row = {
        "id": new_id(),
        "workspace_id": tenant.workspace_id,
        "case_id": uuid.UUID(case["id"]),
        "actor_id": None,
        "action": "retired_action",
        "changes": {},
        "source": "native",
    }
    db.run_sync(lambda s: s.execute(insert(Activity.__table__).values(**row)))
    response = await client.get(f"/cases/{case['id']}/activity", headers=FR)
    assert [e["label"] for e in response.json()["items"]] == ["Dossier créé", "retired_action"]
