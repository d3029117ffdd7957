"""The action log and override requests show their type and state labels in the caller's language."""

from casework.i18n import catalogue
from casework.workflow.overrides.models import ACTION_TYPES, OVERRIDE_STATES
from casework.workflow.overrides.schemas import STATE_LABELS, TYPE_LABELS
from tests.helpers import activity, api_client, create
from tests.workflow.overrides_support import act, acted, action_log, override_body, overrides, request_override

FR = {"Accept-Language": "fr"}


def french_client(app, tenant):
    """The tenant admin asking for French."""
    return api_client(app, {**tenant.admin.headers, **FR})


def test_every_action_type_and_override_state_has_a_label_with_french():
    assert set(TYPE_LABELS) == set(ACTION_TYPES) and set(STATE_LABELS) == set(OVERRIDE_STATES)
    french = catalogue("fr")
    labels = [*TYPE_LABELS.values(), *STATE_LABELS.values()]
    assert [str(label) for label in labels if not french.get(label.template)] == []


async def test_the_action_log_shows_each_type_in_english_or_in_french(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    await acted(client, case, "comment", comment="Opening the review.")
    await request_override(client, case, [reviewer.id])
    await acted(client, case, "cancel")
    await request_override(client, case, [reviewer.id])
    async with api_client(app, reviewer.headers) as as_reviewer:
        await acted(as_reviewer, case, "refuse")
        await request_override(client, case, [reviewer.id])
        await acted(as_reviewer, case, "accept")
    async with french_client(app, tenant) as in_french:
        closing = await acted(in_french, case, "close")
    assert closing["type_label"] == "Clôture"

    english = (await action_log(client, case))["items"]
    assert [a["type_label"] for a in english] == [
        "Comment", "Override request", "Cancellation", "Override request", "Refusal", "Override request", "Acceptance",
        "Closure",
    ]  # fmt: skip
    response = await client.get(f"/cases/{case['id']}/actions", params={"limit": 500}, headers=FR)
    assert [a["type_label"] for a in response.json()["items"]] == [
        "Commentaire", "Demande de dérogation", "Annulation", "Demande de dérogation", "Refus",
        "Demande de dérogation", "Acceptation", "Clôture",
    ]  # fmt: skip
    logged = await client.get(f"/cases/{case['id']}/activity", params={"limit": 500}, headers=FR)
    labels = {e["action"]: e["label"] for e in logged.json()["items"]}
    assert labels["action_comment"] == "Commentaire ajouté au journal des actions"
    assert (labels["override_requested"], labels["override_cancelled"]) == ("Dérogation demandée", "Dérogation annulée")
    assert (labels["override_refused"], labels["override_accepted"]) == ("Dérogation refusée", "Dérogation acceptée")
    assert labels["closed"] == "Dossier clos"
    assert [e["label"] for e in await activity(client, case) if e["action"] == "override_accepted"] == [
        "Override accepted"
    ]


async def test_an_override_shows_its_state_in_english_or_in_french_in_every_view(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    pending = await request_override(client, case, [reviewer.id])
    assert (pending["state"], pending["state_label"]) == ("pending", "Pending")
    one = await client.get(f"/cases/{case['id']}/overrides/{pending['id']}", headers=FR)
    assert one.json()["state_label"] == "En attente"
    logged = await client.get(f"/cases/{case['id']}/actions", params={"include": "override"}, headers=FR)
    assert [o["state_label"] for o in logged.json()["included"]["overrides"]] == ["En attente"]
    async with api_client(app, reviewer.headers) as as_reviewer:
        await acted(as_reviewer, case, "refuse")
    await request_override(client, case, [reviewer.id])
    await acted(client, case, "cancel")
    await request_override(client, case, [reviewer.id])
    async with api_client(app, reviewer.headers) as as_reviewer:
        await acted(as_reviewer, case, "accept")
    assert [(o["state"], o["state_label"]) for o in await overrides(client, case)] == [
        ("refused", "Refused"), ("cancelled", "Cancelled"), ("accepted", "Accepted"),
    ]  # fmt: skip
    french = await client.get(f"/cases/{case['id']}/overrides", headers=FR)
    assert [o["state_label"] for o in french.json()["items"]] == ["Refusée", "Annulée", "Acceptée"]


async def test_an_action_answer_with_include_labels_its_override_in_french(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    async with french_client(app, tenant) as in_french:
        response = await act(in_french, case, "override", params={"include": "override"}, **override_body(reviewer.id))
    assert response.status_code == 201, response.text
    assert response.json()["type_label"] == "Demande de dérogation"
    assert [o["state_label"] for o in response.json()["included"]["overrides"]] == ["En attente"]
