"""GET /cases/{id}: the content counts, and the first page of each kind of content with ?include=."""

from tests.helpers import assert_problem, create, read


async def add_content(client, case):
    for body in ("First look", "Second look"):
        assert (await client.post(f"/cases/{case['id']}/comments", json={"body": body})).status_code == 201
    attached = await client.post(f"/cases/{case['id']}/alerts", json={"alert_ids": ["a1", "a2", "a3"], "indexes": ["i", "i", "i"]})
    assert attached.status_code == 201, attached.text
    insight = {"type": "MONITOR", "ref": "/monitors/1", "resource_id": "1"}
    assert (await client.post(f"/cases/{case['id']}/insights", json={"insights": [insight]})).status_code == 201
    uploaded = await client.post(f"/cases/{case['id']}/files", json={"filename": "a.txt", "content_base64": "aGk="})
    assert uploaded.status_code == 201, uploaded.text
    tasks = []
    for description in ("Check logs", "Reset password", "Notify user"):
        response = await client.post(f"/cases/{case['id']}/tasks", json={"description": description})
        assert response.status_code == 201, response.text
        tasks.append(response.json())
    done = await client.patch(f"/cases/{case['id']}/tasks/{tasks[0]['id']}", json={"completed": True})
    assert done.status_code == 200, done.text
    other = await create(client, title="Related")
    linked = await client.post(f"/cases/{case['id']}/links", json={"case": other["key"], "relation": "related"})
    assert linked.status_code == 201, linked.text


async def test_counts_follow_the_content_of_the_case(client):
    case = await create(client)
    assert case["counts"] == {
        "comments": 0, "alerts": 0, "insights": 0, "files": 0, "tasks_open": 0, "tasks_done": 0, "links": 0
    }
    await add_content(client, case)
    assert (await read(client, case))["counts"] == {
        "comments": 2, "alerts": 3, "insights": 1, "files": 1, "tasks_open": 2, "tasks_done": 1, "links": 1
    }


async def test_include_adds_the_first_page_of_each_named_kind(client):
    case = await create(client)
    await add_content(client, case)
    response = await client.get(f"/cases/{case['key']}", params={"include": "comments,alerts,insights,files,tasks,links,blocks,watchers"})
    assert response.status_code == 200, response.text
    view = response.json()
    assert [c["body"] for c in view["comments"]["items"]] == ["First look", "Second look"]
    assert [a["alert_id"] for a in view["alerts"]["items"]] == ["a1", "a2", "a3"]
    assert [i["resource_id"] for i in view["insights"]["items"]] == ["1"]
    assert [f["filename"] for f in view["files"]["items"]] == ["a.txt"]
    assert [t["description"] for t in view["tasks"]["items"]] == ["Check logs", "Reset password", "Notify user"]
    assert [link["case"]["title"] for link in view["links"]["items"]] == ["Related"]
    assert view["blocks"]["items"] == []
    assert len(view["watchers"]["items"]) == 1
    assert all(view[kind]["next_cursor"] is None for kind in ("comments", "alerts", "tasks"))
    assert response.headers["etag"] == f'"{view["version"]}"'


async def test_include_names_only_what_is_asked_and_pages_long_lists(client):
    case = await create(client)
    for n in range(51):
        assert (await client.post(f"/cases/{case['id']}/comments", json={"body": f"note {n}"})).status_code == 201
    view = (await client.get(f"/cases/{case['id']}", params={"include": "comments"})).json()
    assert len(view["comments"]["items"]) == 50
    following = await client.get(f"/cases/{case['id']}/comments", params={"cursor": view["comments"]["next_cursor"]})
    assert [c["body"] for c in following.json()["items"]] == ["note 50"]
    assert "alerts" not in view and "tasks" not in view


async def test_an_unknown_include_is_refused_naming_the_field(client):
    case = await create(client)
    assert_problem(await client.get(f"/cases/{case['id']}", params={"include": "comments,secrets"}), 422, "include")
