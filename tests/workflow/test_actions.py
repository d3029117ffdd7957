"""The action log: one row and one activity entry per action, comments that every API shows, documents, includes,
and how bodies are read."""

import uuid

from tests.comments.support import add_files, carrier_of, comments
from tests.helpers import activity, actions, api_client, assert_problem, create, read
from tests.workflow.overrides_support import act, acted, action_log, override_body, overrides, request_override


async def test_a_comment_action_is_a_real_comment_carrying_its_documents(client, tenant, db):
    case = await create(client)
    files = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 2)
    action = await acted(client, case, "comment", comment="See the bank letter.", documents=files)
    [note] = await comments(client, case)
    assert (note["body"], note["file_ids"], note["author_id"]) == ("See the bank letter.", files, str(tenant.admin.id))
    assert all(carrier_of(db, f) == note["id"] for f in files)
    assert action["comment_id"] == note["id"]
    assert (action["type"], action["comment"], action["documents"]) == ("comment", "See the bank letter.", files)
    assert (await read(client, case))["counts"]["comments"] == 1
    assert (await actions(client, case))[-2:] == ["commented", "action_comment"]


async def test_every_action_is_one_row_of_the_log_and_one_activity_entry(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    version = (await read(client, case))["version"]
    steps = [
        (client, "comment", {"comment": "Opening the review."}, "action_comment"),
        (client, "override", override_body(reviewer.id, comment="Checked."), "override_requested"),
        (client, "cancel", {}, "override_cancelled"),
        (client, "override", override_body(reviewer.id, outcome="unfavorable"), "override_requested"),
        (None, "refuse", {"comment": "No."}, "override_refused"),
        (client, "override", override_body(reviewer.id), "override_requested"),
        (None, "accept", {}, "override_accepted"),
        (client, "close", {}, "closed"),
    ]  # fmt: skip
    posted = []
    async with api_client(app, reviewer.headers) as as_reviewer:
        for who, kind, body, entry in steps:
            response = await act(who or as_reviewer, case, kind, **body)
            assert response.status_code == 201, response.text
            posted.append(response.json())
            now = (await read(client, case))["version"]
            assert now > version and response.headers["ETag"] == f'"{now}"'
            version = now
            logged = [e for e in await activity(client, case) if e["action"] == entry]
            assert logged[-1]["changes"]["action_id"] == [None, response.json()["id"]]
    log = (await action_log(client, case))["items"]
    assert log == posted
    assert [a["type"] for a in log] == [kind for _, kind, _, _ in steps]
    assert [a["user_id"] for a in log] == [str(tenant.admin.id if who else reviewer.id) for who, _, _, _ in steps]
    assert log[1]["override_id"] == log[2]["override_id"] != log[3]["override_id"] == log[4]["override_id"]
    assert log[1]["comment"] == "Checked." and log[2]["comment"] is None and log[4]["comment"] == "No."
    names = await actions(client, case)
    assert names.count("override_requested") == 3 and names.count("closed") == 1


async def test_an_accepted_override_logs_the_outcome_change(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    requested = await request_override(client, case, [reviewer.id], outcome="favorable")
    async with api_client(app, reviewer.headers) as as_reviewer:
        await acted(as_reviewer, case, "accept")
    entries = await activity(client, case)
    [asked] = [e for e in entries if e["action"] == "override_requested"]
    [accepted] = [e for e in entries if e["action"] == "override_accepted"]
    assert asked["changes"]["override_id"] == [None, requested["id"]]
    assert asked["changes"]["outcome"] == [None, "favorable"]
    assert accepted["changes"]["outcome"] == [None, "favorable"]
    assert accepted["changes"]["state"] == ["pending", "accepted"]
    assert accepted["actor_id"] == str(reviewer.id)


async def test_the_log_is_paged_oldest_first(client):
    case = await create(client)
    posted = [await acted(client, case, "comment", comment=f"note {n}") for n in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"/cases/{case['id']}/actions", params=params)).json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == posted
    assert_problem(await client.get(f"/cases/{case['id']}/actions", params={"cursor": "nope"}), 422, "cursor")


async def test_documents_must_be_files_of_the_case(client, tenant, db, other, other_client):
    reviewer = tenant.add_member("reviewer")
    case, elsewhere = await create(client), await create(client)
    [own] = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id)
    [of_another_case] = add_files(db, tenant.workspace_id, elsewhere["id"], tenant.admin.id)
    [foreign] = add_files(db, other.workspace_id, (await create(other_client))["id"], other.admin.id)
    before = await read(client, case)
    for kind, body in (("comment", {"comment": "x"}), ("override", override_body(reviewer.id)), ("close", {})):
        for wrong in (str(uuid.uuid4()), of_another_case, foreign):
            assert_problem(await act(client, case, kind, documents=[own, wrong], **body), 422, "documents.1")
        assert_problem(await act(client, case, kind, documents=["nope"], **body), 422, "documents.0")
        assert_problem(await act(client, case, kind, documents=[own, own], **body), 422, "documents")
    assert await read(client, case) == before
    assert (await action_log(client, case))["items"] == []

    requested = await request_override(client, case, [reviewer.id], documents=[own])
    assert requested["documents"] == [own]


async def test_a_comment_action_may_not_take_a_file_another_comment_carries(client, tenant, db):
    case = await create(client)
    [file] = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id)
    first = await acted(client, case, "comment", comment="carries it", documents=[file])
    assert_problem(await act(client, case, "comment", comment="wants it too", documents=[file]), 422, "documents.0")
    assert carrier_of(db, file) == first["comment_id"]
    assert len(await comments(client, case)) == 1


async def test_deleting_the_comment_keeps_the_action_row(client):
    case = await create(client)
    action = await acted(client, case, "comment", comment="kept in the log")
    assert (await client.delete(f"/cases/{case['id']}/comments/{action['comment_id']}")).status_code == 204
    [row] = (await action_log(client, case))["items"]
    assert (row["id"], row["comment"], row["comment_id"]) == (action["id"], "kept in the log", None)


async def test_include_expands_users_comments_documents_overrides_and_reviewers(app, client, tenant, db):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    files = add_files(db, tenant.workspace_id, case["id"], tenant.admin.id, 2)
    note = await acted(client, case, "comment", comment="evidence", documents=[files[0]])
    requested = await request_override(client, case, [reviewer.id], documents=[files[1]])

    plain = await action_log(client, case)
    assert "included" not in plain
    everything = ",".join(["user", "comment", "comment.documents", "override", "override.assigned_reviewers"])
    included = (await action_log(client, case, include=everything))["included"]
    assert [u["id"] for u in included["users"]] == sorted([str(tenant.admin.id), str(reviewer.id)])
    assert [u["role"] for u in included["users"] if u["id"] == str(reviewer.id)] == ["reviewer"]
    [expanded] = included["comments"]
    assert (expanded["id"], expanded["body"], expanded["file_ids"]) == (note["comment_id"], "evidence", [files[0]])
    assert [(d["id"], d["case_id"]) for d in included["documents"]] == [(f, case["id"]) for f in files]
    assert [(o["id"], o["state"]) for o in included["overrides"]] == [(requested["id"], "pending")]

    only_users = (await action_log(client, case, include="user"))["included"]
    assert set(only_users) == {"users"} and [u["id"] for u in only_users["users"]] == [str(tenant.admin.id)]
    reviewers = (await action_log(client, case, include="override.assigned_reviewers"))["included"]
    assert set(reviewers) == {"overrides", "users"} and [u["id"] for u in reviewers["users"]] == [str(reviewer.id)]
    documents = (await action_log(client, case, include="comment.documents"))["included"]
    assert set(documents) == {"comments", "documents"}


async def test_the_action_answer_takes_include_too(app, client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    params = {"include": "override.assigned_reviewers,user"}
    response = await act(client, case, "override", params=params, **override_body(reviewer.id))
    assert response.status_code == 201, response.text
    included = response.json()["included"]
    assert [o["id"] for o in included["overrides"]] == [response.json()["override_id"]]
    assert [u["id"] for u in included["users"]] == sorted([str(tenant.admin.id), str(reviewer.id)])


async def test_an_unknown_include_is_refused(client):
    case = await create(client)
    assert_problem(await client.get(f"/cases/{case['id']}/actions", params={"include": "user,case"}), 422, "include")
    response = await act(client, case, "comment", params={"include": "documents"}, comment="x")
    assert_problem(response, 422, "include")
    assert (await action_log(client, case))["items"] == []


async def test_bodies_are_checked_per_type_naming_fields_as_written(client, tenant):
    reviewer = tenant.add_member("reviewer")
    case = await create(client)
    url = f"/cases/{case['id']}/actions"
    assert_problem(await client.post(url, json={"comment": "no type"}), 422, "type")
    assert_problem(await client.post(url, json={"type": "approve"}), 422, "type")
    assert_problem(await client.post(url, json={"type": "comment"}), 422, "comment")
    assert_problem(await client.post(url, json={"type": "comment", "comment": "   "}), 422, "comment")
    assert_problem(await client.post(url, json={"type": "comment", "comment": "x", "outcome": "y"}), 422, "outcome")
    no_reviewers = {"type": "override", "outcome": "favorable", "comment": "x"}
    assert_problem(await client.post(url, json=no_reviewers), 422, "reviewers")
    no_outcome = {"type": "override", **override_body(reviewer.id, outcome=" ")}
    assert_problem(await client.post(url, json=no_outcome), 422, "outcome")
    assert_problem(await client.post(url, json={**no_outcome, "outcome": "f" * 161}), 422, "outcome")
    assert_problem(await client.post(url, json={"type": "accept", "override": "nope"}), 422, "override")
    unclear = {"type": "close", "override_closure_conditions": "maybe"}
    assert_problem(await client.post(url, json=unclear), 422, "override_closure_conditions")
    not_json = await client.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert_problem(not_json, 422, "body")
    assert_problem(await client.post(url, json=["comment"]), 422)
    assert_problem(await client.post(url, json={"type": "comment", "comment": "a\x00b"}), 422, "comment")
    assert (await action_log(client, case))["items"] == []
    assert await overrides(client, case) == []


async def test_a_stale_if_match_is_refused_and_changes_nothing(client):
    case = await create(client)
    version = (await read(client, case))["version"]
    url, body = f"/cases/{case['id']}/actions", {"type": "comment", "comment": "x"}
    assert_problem(await client.post(url, json=body, headers={"If-Match": f'"{version - 1}"'}), 409)
    assert (await action_log(client, case))["items"] == []
    assert len(await comments(client, case)) == 0
    fresh = await client.post(url, json=body, headers={"If-Match": f'"{version}"'})
    assert fresh.status_code == 201, fresh.text
