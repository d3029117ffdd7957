"""Alerts through the Kibana API: attached as alert comments (at most 1,000 per case, never to a closed case, each
alert once), read per case and per alert, changed and detached."""

import pytest

from tests.dialects.kibana.attachment_support import (
    ALERT_FIELDS,
    CAP,
    STALE,
    add,
    alert,
    all_comments,
    boom,
    get_case,
    new_case,
    user_comment,
)
from tests.helpers import activity, patch, read


def ids(prefix: str, count: int, start: int = 0) -> list[str]:
    return [f"{prefix}-{n}" for n in range(start, start + count)]


async def test_one_alert_is_attached_as_an_alert_comment_of_arrays(kibana):
    case = await new_case(kibana, owner="securitySolution")
    body = alert("alert-1", ".alerts-security.alerts-default", owner="securitySolution", id="rule-1", name="Rule")
    answer = await add(kibana, case, body)
    [comment] = answer["comments"]
    assert set(comment) == ALERT_FIELDS
    assert comment["alertId"] == ["alert-1"] and comment["index"] == [".alerts-security.alerts-default"]
    assert comment["rule"] == {"id": "rule-1", "name": "Rule"}
    assert (comment["type"], comment["owner"], comment["version"]) == ("alert", "securitySolution", "WzEsMV0=")
    assert (comment["updated_at"], comment["updated_by"], comment["pushed_at"]) == (None, None, None)
    assert answer["totalAlerts"] == 1 and answer["totalComment"] == 1
    assert answer["version"] != case["version"] and answer["updated_by"] == case["created_by"]


async def test_several_alerts_of_one_rule_are_one_attachment_and_counted_each(kibana):
    case = await new_case(kibana)
    await add(kibana, case, user_comment())
    answer = await add(kibana, case, alert(["a", "b", "c"], ["i1", "i2", "i1"], id=None, name=None))
    comment = answer["comments"][1]
    assert (comment["alertId"], comment["index"]) == (["a", "b", "c"], ["i1", "i2", "i1"])
    assert comment["rule"] == {"id": None, "name": None}
    # The comment routes count every attachment; reading the case counts user comments only.
    assert (answer["totalComment"], answer["totalAlerts"]) == (2, 3)
    assert ((await get_case(kibana, case))["totalComment"], (await get_case(kibana, case))["totalAlerts"]) == (1, 3)


async def test_ids_and_indexes_of_different_lengths_are_refused_in_kibana_s_words(kibana):
    case = await new_case(kibana)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert(["a", "b"], "i"))
    assert response.status_code == 400
    message = 'Received an alert comment with ids and indices arrays of different lengths ids: ["a","b"] indices: ["i"]'
    assert response.json() == boom(400, message)
    assert await get_case(kibana, case) == case


@pytest.mark.parametrize("drop", ["alertId", "index", "rule", "owner"])
async def test_an_alert_missing_a_field_is_a_400(kibana, drop):
    case = await new_case(kibana)
    body = alert()
    del body[drop]
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=body)
    assert response.status_code == 400
    assert await get_case(kibana, case) == case


async def test_an_alert_with_a_comment_key_is_a_400(kibana):
    case = await new_case(kibana)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert() | {"comment": "comment"})
    assert response.status_code == 400
    assert response.json()["message"] == 'invalid keys "comment"'


async def test_an_alert_on_a_closed_case_is_refused_before_the_owner_and_duplicates_are_looked_at(kibana, client):
    case = await new_case(kibana)
    await add(kibana, case, alert("known"))
    await patch(client, case, {"status": "closed"})
    closed = await get_case(kibana, case)
    for body in (alert("new"), alert("known"), alert("new", owner="observability")):
        response = await kibana.post(f"/api/cases/{case['id']}/comments", json=body)
        assert response.status_code == 400
        assert response.json() == boom(400, "Alert cannot be attached to a closed case")
    assert await get_case(kibana, case) == closed


async def test_a_closed_case_takes_no_alert_even_where_its_project_lets_closed_cases_change(kibana, client):
    assert (await client.patch("/projects/SEC", json={"closed_read_only": False})).status_code == 200
    case = await new_case(kibana)
    await patch(client, case, {"status": "closed"})
    closed = await get_case(kibana, case)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert("new"))
    assert response.json() == boom(400, "Alert cannot be attached to a closed case")
    assert await get_case(kibana, case) == closed
    assert (await client.get(f"/cases/{case['id']}/alerts")).json()["items"] == []
    assert (await read(client, case))["counts"]["alerts"] == 0


async def test_a_closed_case_s_alert_refusal_comes_before_the_cap(kibana, client):
    case = await new_case(kibana)
    await add(kibana, case, alert(ids("test", 1000), ids("index", 1000)))
    await patch(client, case, {"status": "closed"})
    for body in (alert("one-more"), alert(ids("new", 1001), ids("new", 1001))):
        response = await kibana.post(f"/api/cases/{case['id']}/comments", json=body)
        assert response.json() == boom(400, "Alert cannot be attached to a closed case")


async def test_an_owner_refusal_comes_before_the_cap(kibana):
    case = await new_case(kibana)
    many = ids("test", 1001)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert(many, many, owner="observability"))
    assert response.json() == boom(400, "The owner field of the comment must match the case")


async def test_an_alert_whose_owner_is_not_the_case_s_is_refused(kibana):
    case = await new_case(kibana)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert(owner="securitySolution"))
    assert response.json() == boom(400, "The owner field of the comment must match the case")
    assert await get_case(kibana, case) == case


async def test_alerts_already_on_the_case_are_left_out_and_nothing_new_leaves_the_case_as_it_was(kibana):
    case = await new_case(kibana)
    await add(kibana, case, alert(["a", "b"], ["i", "i"]))
    answer = await add(kibana, case, alert(["b", "c", "c"], ["i", "j", "k"]))
    assert answer["comments"][1]["alertId"] == ["c"] and answer["comments"][1]["index"] == ["j"]
    assert answer["totalAlerts"] == 3
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert(["a", "c"], ["i", "j"]))
    assert response.status_code == 200
    assert response.json() == answer


async def test_the_answer_shows_every_attachment_as_a_later_read_does(kibana):
    case = await new_case(kibana)
    await add(kibana, case, alert(["a", "b"], ["i", "i"], id="rule-1", name="Rule"))
    await add(kibana, case, user_comment())
    answer = await add(kibana, case, alert(["b", "c"], ["i", "j"]))
    assert [c["type"] for c in answer["comments"]] == ["alert", "user", "alert"]
    assert answer["comments"] == await all_comments(kibana, case)
    # The case as read alone, but for what only the comment routes show: every attachment, all counted.
    read_alone = await get_case(kibana, case)
    assert read_alone["totalComment"] == 1 and answer["totalComment"] == 3
    assert {k: v for k, v in answer.items() if k not in ("comments", "totalComment")} == {
        k: v for k, v in read_alone.items() if k not in ("comments", "totalComment")
    }


async def test_more_than_1000_alerts_in_one_request_are_refused(kibana):
    case = await new_case(kibana)
    many = ids("test", 1001)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert(many, many))
    assert response.json() == boom(400, CAP)
    assert await get_case(kibana, case) == case


async def test_a_case_holds_at_most_1000_alerts(kibana):
    case = await new_case(kibana)
    full = await add(kibana, case, alert(ids("test", 1000), ids("index", 1000)))
    assert full["totalAlerts"] == 1000
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert("test-id", "test-index"))
    assert response.json() == boom(400, CAP)
    assert await get_case(kibana, case) == {**full, "comments": [], "totalComment": 0}


async def test_500_then_700_alerts_are_refused_and_the_700_change_nothing(kibana, client):
    case = await new_case(kibana)
    alerts = ids("test", 1200)
    first = await add(kibana, case, alert(alerts[:500], alerts[:500]))
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert(alerts[500:], alerts[500:]))
    assert response.json() == boom(400, CAP)
    assert await all_comments(kibana, case) == first["comments"]
    assert (await read(client, case))["counts"]["alerts"] == 500


async def test_alerts_added_through_kibana_show_natively_with_their_source(kibana, client):
    case = await new_case(kibana, owner="securitySolution")
    answer = await add(kibana, case, alert(["a", "b"], ["i", "j"], owner="securitySolution"))
    native = await read(client, case)
    assert native["counts"]["alerts"] == 2 and native["version"] == 2
    listed = (await client.get(f"/cases/{case['id']}/alerts")).json()["items"]
    assert [(a["alert_id"], a["index"], a["attachment_id"]) for a in listed] == [
        ("a", "i", answer["comments"][0]["id"]), ("b", "j", answer["comments"][0]["id"])
    ]
    assert {a["owner"] for a in listed} == {"securitySolution"}
    entry = (await activity(client, case))[-1]
    assert (entry["action"], entry["source"]) == ("alerts_attached", "kibana")


# Reading


async def test_a_case_s_alerts_are_listed_with_their_index_and_attachment_time(kibana):
    case = await new_case(kibana)
    answer = await add(kibana, case, alert(["a", "b"], ["i", "j"]))
    await add(kibana, case, alert("c", "k"))
    response = await kibana.get(f"/api/cases/{case['id']}/alerts")
    assert response.status_code == 200
    listed = response.json()
    assert [(a["id"], a["index"]) for a in listed] == [("a", "i"), ("b", "j"), ("c", "k")]
    assert listed[0]["attached_at"] == answer["comments"][0]["created_at"]
    assert all(set(a) == {"id", "index", "attached_at"} for a in listed)


async def test_the_cases_of_an_alert_are_found_by_its_id_and_owner(kibana):
    first = await new_case(kibana, title="first")
    second = await new_case(kibana, title="second", owner="observability")
    await add(kibana, first, alert("shared"))
    await add(kibana, first, user_comment())
    await add(kibana, second, alert("shared", owner="observability"))
    response = await kibana.get("/api/cases/alerts/shared")
    assert response.status_code == 200
    found = response.json()
    assert [c["id"] for c in found] == [first["id"], second["id"]]
    assert found[0] == {
        "id": first["id"], "title": "first", "description": first["description"], "status": "open",
        "createdAt": first["created_at"], "totals": {"alerts": 1, "userComments": 1},
    }  # fmt: skip
    only = (await kibana.get("/api/cases/alerts/shared", params={"owner": "observability"})).json()
    assert [c["id"] for c in only] == [second["id"]]
    assert (await kibana.get("/api/cases/alerts/unknown")).json() == []


# Changing and deleting


async def test_an_alert_comment_changes_under_its_own_version(kibana, client):
    case = await new_case(kibana)
    [attached] = (await add(kibana, case, alert(["a", "b"], ["i", "i"])))["comments"]
    body = alert(["b", "c"], ["i", "j"], id="rule-2", name="Other") | {"id": attached["id"], "version": attached["version"]}
    response = await kibana.patch(f"/api/cases/{case['id']}/comments", json=body)
    assert response.status_code == 200, response.text
    [changed] = response.json()["comments"]
    assert (changed["alertId"], changed["index"], changed["rule"]) == (["b", "c"], ["i", "j"], {"id": "rule-2", "name": "Other"})
    assert changed["version"] == "WzIsMV0=" and changed["updated_by"] == attached["created_by"]
    assert changed["created_at"] == attached["created_at"]
    assert (await read(client, case))["counts"]["alerts"] == 2
    stale = await kibana.patch(f"/api/cases/{case['id']}/comments", json=body)
    assert stale.json() == boom(409, STALE)
    retyped = body | {"version": changed["version"], "type": "user", "comment": "c"}
    for key in ("alertId", "index", "rule"):
        del retyped[key]
    assert (await kibana.patch(f"/api/cases/{case['id']}/comments", json=retyped)).json() == boom(
        400, "You cannot change the type of the comment."
    )
    uneven = body | {"version": changed["version"], "alertId": ["x", "y"], "index": ["i"]}
    assert (await kibana.patch(f"/api/cases/{case['id']}/comments", json=uneven)).status_code == 400
    assert await all_comments(kibana, case) == [changed]


async def test_deleting_an_alert_comment_detaches_all_its_alerts(kibana, client):
    case = await new_case(kibana)
    kept = await add(kibana, case, alert("k", "i"))
    [_, gone] = (await add(kibana, case, alert(["a", "b"], ["i", "i"])))["comments"]
    response = await kibana.delete(f"/api/cases/{case['id']}/comments/{gone['id']}")
    assert response.status_code == 204
    assert await all_comments(kibana, case) == kept["comments"]
    assert [a["id"] for a in (await kibana.get(f"/api/cases/{case['id']}/alerts")).json()] == ["k"]
    assert (await read(client, case))["counts"]["alerts"] == 1
    # Detached alerts can be attached again.
    assert (await add(kibana, case, alert("a", "i")))["totalAlerts"] == 2


async def test_an_empty_list_of_alerts_adds_nothing(kibana):
    case = await new_case(kibana)
    response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert([], []))
    assert response.status_code == 200
    assert response.json() == case


async def test_an_alert_id_the_core_cannot_keep_is_a_400_naming_it(kibana):
    case = await new_case(kibana)
    for bad in ("", "x" * 513):
        response = await kibana.post(f"/api/cases/{case['id']}/comments", json=alert(bad, "i"))
        assert response.status_code == 400, response.text
        assert "alert_ids" in response.json()["message"]
    assert await get_case(kibana, case) == case
