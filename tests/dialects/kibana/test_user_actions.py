"""A case's user actions through the Kibana API, read from its activity log whichever API wrote it."""

import pytest

from tests.dialects.kibana.attachment_support import add, alert, boom, new_case, user_comment
from tests.helpers import patch

FIELDS = {"id", "version", "type", "action", "payload", "created_at", "created_by", "owner", "comment_id"}
DEPRECATED_FIELDS = FIELDS - {"id", "version"} | {"action_id", "case_id"}


async def find(kibana, case, **params) -> dict:  # type: ignore[no-untyped-def]
    response = await kibana.get(f"/api/cases/{case['id']}/user_actions/_find", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def kinds(found: dict) -> list[tuple[str, str]]:
    return [(a["type"], a["action"]) for a in found["userActions"]]


async def test_a_new_case_has_its_create_case_action(kibana):
    case = await new_case(kibana, tags=["t1", "t2"])
    found = await find(kibana, case)
    assert set(found) == {"userActions", "page", "perPage", "total"}
    assert (found["page"], found["perPage"], found["total"]) == (1, 20, 1)
    [created] = found["userActions"]
    assert set(created) == FIELDS
    assert (created["type"], created["action"], created["comment_id"], created["owner"]) == (
        "create_case", "create", None, "cases"
    )
    assert created["payload"] == {
        "title": "Case title 1", "description": "A case description.", "tags": ["t1", "t2"],
        "connector": {"id": "none", "name": "none", "type": ".none", "fields": None},
        "settings": {"syncAlerts": False}, "owner": "cases", "severity": "low", "status": "open", "assignees": [],
        "category": None, "customFields": [],
    }  # fmt: skip
    assert created["created_by"] == case["created_by"] and created["created_at"] == case["created_at"]


async def test_comments_and_alerts_are_comment_actions_naming_their_attachment(kibana):
    case = await new_case(kibana)
    [comment] = (await add(kibana, case, user_comment("Looks phishy.")))["comments"]
    attached = (await add(kibana, case, alert(["a", "b"], ["i", "j"])))["comments"][1]
    body = {"type": "user", "owner": "cases", "comment": "Edited.", "id": comment["id"], "version": comment["version"]}
    assert (await kibana.patch(f"/api/cases/{case['id']}/comments", json=body)).status_code == 200
    assert (await kibana.delete(f"/api/cases/{case['id']}/comments/{attached['id']}")).status_code == 204
    actions = (await find(kibana, case))["userActions"][1:]
    assert [(a["type"], a["action"], a["comment_id"]) for a in actions] == [
        ("comment", "create", comment["id"]),
        ("comment", "create", attached["id"]),
        ("comment", "update", comment["id"]),
        ("comment", "delete", attached["id"]),
    ]
    assert actions[0]["payload"] == {"comment": {"comment": "Looks phishy.", "type": "user", "owner": "cases"}}
    alert_comment = {"type": "alert", "alertId": ["a", "b"], "index": ["i", "j"],
                     "rule": {"id": "rule-1", "name": "Brute force"}, "owner": "cases"}  # fmt: skip
    assert actions[1]["payload"] == {"comment": alert_comment}
    assert actions[2]["payload"] == {"comment": {"comment": "Edited.", "type": "user", "owner": "cases"}}
    assert actions[3]["payload"] == {"comment": alert_comment}
    assert len({a["id"] for a in actions}) == 4


async def test_changes_made_natively_are_kibana_s_field_actions(kibana, client):
    case = await new_case(kibana, tags=["keep", "drop"])
    await patch(client, case, {"title": "Renamed", "tags": ["keep", "new"], "severity": "high"})
    await patch(client, case, {"status": "in_progress"})
    found = await find(kibana, case)
    assert kinds(found)[1:] == [
        ("title", "update"), ("severity", "update"), ("tags", "add"), ("tags", "delete"), ("status", "update")
    ]
    payloads = [a["payload"] for a in found["userActions"][1:]]
    assert payloads == [
        {"title": "Renamed"}, {"severity": "high"}, {"tags": ["new"]}, {"tags": ["drop"]}, {"status": "in-progress"}
    ]
    # One entry of the log, several user actions: each its own id.
    assert len({a["id"] for a in found["userActions"]}) == len(found["userActions"])


async def test_a_native_detach_of_one_alert_shows_what_the_attachment_kept(kibana, client):
    case = await new_case(kibana)
    attached = (await add(kibana, case, alert(["a", "b"], ["i", "j"])))["comments"][0]
    assert (await client.delete(f"/cases/{case['id']}/alerts/a")).status_code == 204
    assert (await client.delete(f"/cases/{case['id']}/alerts/b")).status_code == 204
    actions = (await find(kibana, case))["userActions"][2:]
    assert [(a["action"], a["comment_id"]) for a in actions] == [("update", attached["id"]), ("delete", attached["id"])]
    assert actions[0]["payload"]["comment"]["alertId"] == ["b"] and actions[0]["payload"]["comment"]["index"] == ["j"]
    assert actions[1]["payload"]["comment"]["alertId"] == ["b"]


async def test_types_filter_by_kind_and_by_attachment_group(kibana, client):
    case = await new_case(kibana)
    await add(kibana, case, user_comment())
    await add(kibana, case, alert())
    await patch(client, case, {"title": "Renamed"})
    assert kinds(await find(kibana, case, types="user")) == [("comment", "create")]
    alerts = await find(kibana, case, types="alert")
    assert kinds(alerts) == [("comment", "create")] and alerts["userActions"][0]["payload"]["comment"]["type"] == "alert"
    assert kinds(await find(kibana, case, types=["title", "create_case"])) == [("create_case", "create"), ("title", "update")]
    assert kinds(await find(kibana, case, types="action")) == [("create_case", "create"), ("title", "update")]
    assert (await find(kibana, case, types="comment"))["total"] == 2
    assert (await find(kibana, case, types="attachment"))["total"] == 0


async def test_paging_and_sorting(kibana):
    case = await new_case(kibana)
    for n in range(3):
        await add(kibana, case, user_comment(f"note {n}"))
    page = await find(kibana, case, page=2, perPage=2, sortOrder="asc")
    assert (page["page"], page["perPage"], page["total"]) == (2, 2, 4)
    assert [a["payload"]["comment"]["comment"] for a in page["userActions"]] == ["note 1", "note 2"]
    newest = await find(kibana, case, sortOrder="desc", perPage=1)
    assert newest["userActions"][0]["payload"]["comment"]["comment"] == "note 2"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"perPage": 101}, "The provided perPage value is too high. The maximum allowed perPage value is 100."),
        ({"page": 10001, "perPage": 1},
         "The number of documents is too high. Paginating through more than 10000 documents is not possible."),
        ({"types": "nope"}, 'Invalid value "nope" supplied to "types"'),
        ({"sortOrder": "sideways"}, 'Invalid value "sideways" supplied to "sortOrder"'),
    ],
)  # fmt: skip
async def test_bad_queries_are_400s(kibana, params, message):
    case = await new_case(kibana)
    response = await kibana.get(f"/api/cases/{case['id']}/user_actions/_find", params=params)
    assert response.status_code == 400
    assert response.json() == boom(400, message)


async def test_an_unknown_case_has_no_user_actions(kibana):
    response = await kibana.get("/api/cases/no-such-case/user_actions/_find")
    assert response.json() == boom(404, "Saved object [cases/no-such-case] not found")


async def test_the_deprecated_list_names_the_action_and_the_case_and_warns(kibana):
    case = await new_case(kibana)
    await add(kibana, case, user_comment())
    found = await find(kibana, case)
    response = await kibana.get(f"/api/cases/{case['id']}/user_actions")
    assert response.status_code == 200
    assert "Deprecated endpoint" in response.headers["warning"]
    listed = response.json()
    assert all(set(a) == DEPRECATED_FIELDS for a in listed)
    assert [a["action_id"] for a in listed] == [a["id"] for a in found["userActions"]]
    assert {a["case_id"] for a in listed} == {case["id"]}
    assert [{k: v for k, v in a.items() if k not in ("action_id", "case_id")} for a in listed] == [
        {k: v for k, v in a.items() if k not in ("id", "version")} for a in found["userActions"]
    ]


async def test_a_kibana_patch_is_kibana_s_field_actions(kibana):
    case = await new_case(kibana)
    connector = {"id": "jira-1", "name": "Jira", "type": ".jira", "fields": {"issueType": "10006", "priority": None,
                                                                         "parent": None}}  # fmt: skip
    change = {"id": case["id"], "version": case["version"], "status": "closed", "settings": {"syncAlerts": True},
              "connector": connector, "description": "New words."}  # fmt: skip
    response = await kibana.patch("/api/cases", json={"cases": [change]})
    assert response.status_code == 200, response.text
    actions = (await find(kibana, case))["userActions"][1:]
    assert {(a["type"], a["action"]) for a in actions} == {
        ("status", "update"), ("settings", "update"), ("connector", "update"), ("description", "update")
    }
    payloads = {a["type"]: a["payload"] for a in actions}
    assert payloads["status"] == {"status": "closed"}
    assert payloads["settings"] == {"settings": {"syncAlerts": True}}
    assert payloads["connector"] == {"connector": connector}
    assert payloads["description"] == {"description": "New words."}
