"""GET /cases filters by id and number lists, several authors, type, metadata, closing time and excluded
assignees; GET /tags and GET /reporters list what a workspace's cases use."""

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.cases.test_list import forged_cursor, key_set
from tests.conftest import Tenant
from tests.helpers import assert_problem, create, patch


@pytest.fixture
async def people(tenant: Tenant) -> dict[str, Any]:
    return {"alice": tenant.add_member("agent"), "bob": tenant.add_member("agent")}


async def test_id_and_number_lists_match_any_of_the_given_cases(client):
    cases = [await create(client, title=f"case {i}") for i in range(4)]
    ids = [("id", cases[0]["id"]), ("id", cases[2]["id"])]
    assert await key_set(client, ids) == {cases[0]["key"], cases[2]["key"]}
    assert await key_set(client, [("number", 2), ("number", 4), ("number", 99)]) == {cases[1]["key"], cases[3]["key"]}
    assert await key_set(client, [*ids, ("number", 1)]) == {cases[0]["key"]}


async def test_several_authors_match_any_of_them(client, tenant, people):
    alice, bob = people["alice"], people["bob"]
    by_alice = await create(client, alice.headers, title="a")
    by_bob = await create(client, bob.headers, title="b")
    by_admin = await create(client, title="c")
    assert await key_set(client, [("author", str(alice.id)), ("author", str(bob.id))]) == {by_alice["key"], by_bob["key"]}
    assert await key_set(client, {"author": str(tenant.admin.id)}) == {by_admin["key"]}


async def test_type_filter_matches_any_of_the_given_types(client):
    response = await client.post("/projects/SEC/types", json={"name": "incident"})
    assert response.status_code == 201, response.text
    incident = await create(client, title="i", type="incident")
    standard = await create(client, title="s")
    assert await key_set(client, {"type": "incident"}) == {incident["key"]}
    assert await key_set(client, [("type", "incident"), ("type", "STANDARD")]) == {incident["key"], standard["key"]}
    assert await key_set(client, {"type": "nothing"}) == set()


async def test_metadata_filters_match_exact_values_and_all_must_hold(client):
    long = "v" * 5000
    siem = await create(client, title="a", metadata={"source": "siem", "region": "eu", "query": "a=b", "blob": long})
    email = await create(client, title="b", metadata={"source": "email", "region": "eu"})
    await create(client, title="c")
    assert await key_set(client, {"metadata": "source=siem"}) == {siem["key"]}
    assert await key_set(client, {"metadata": "region=eu"}) == {siem["key"], email["key"]}
    assert await key_set(client, [("metadata", "region=eu"), ("metadata", "source=email")]) == {email["key"]}
    assert await key_set(client, {"metadata": "query=a=b"}) == {siem["key"]}
    assert await key_set(client, {"metadata": f"blob={long}"}) == {siem["key"]}
    assert await key_set(client, {"metadata": "source=SIEM"}) == set()
    assert await key_set(client, {"metadata": "source="}) == set()


async def test_metadata_filters_follow_metadata_changes(client):
    case = await create(client, title="a", metadata={"source": "siem", "stage": "1"})
    await patch(client, case, {"metadata": {"source": "email", "owner": "soc"}})
    assert await key_set(client, {"metadata": "source=siem"}) == set()
    assert await key_set(client, {"metadata": "stage=1"}) == set()
    assert await key_set(client, {"metadata": "source=email"}) == {case["key"]}
    assert await key_set(client, {"metadata": "owner=soc"}) == {case["key"]}


async def test_metadata_filters_stay_within_the_workspace(client, other_client):
    await create(other_client, title="theirs", metadata={"source": "siem"})
    assert await key_set(client, {"metadata": "source=siem"}) == set()


async def test_closed_after_is_inclusive_and_closed_before_exclusive(client):
    first = await create(client, title="first", status="closed")
    second = await create(client, title="second", status="closed")
    await create(client, title="open")
    assert await key_set(client, {"closed_after": first["closed_at"]}) == {first["key"], second["key"]}
    assert await key_set(client, {"closed_after": second["closed_at"]}) == {second["key"]}
    assert await key_set(client, {"closed_before": second["closed_at"]}) == {first["key"]}
    later = (datetime.fromisoformat(second["closed_at"]) + timedelta(seconds=1)).isoformat()
    window = {"closed_after": first["closed_at"], "closed_before": later}
    assert await key_set(client, window) == {first["key"], second["key"]}
    reopened = await patch(client, first, {"status": "open"})
    assert reopened["closed_at"] is None
    assert await key_set(client, {"closed_after": first["closed_at"]}) == {second["key"]}


async def test_assignee_none_excludes_cases_assigned_to_any_of_the_given_users(client, people):
    alice, bob = str(people["alice"].id), str(people["bob"].id)
    await create(client, title="a", assignees=[alice])
    await create(client, title="b", assignees=[alice, bob])
    to_bob = await create(client, title="c", assignees=[bob])
    nobody = await create(client, title="d")
    assert await key_set(client, {"assignee_none": alice}) == {to_bob["key"], nobody["key"]}
    assert await key_set(client, [("assignee_none", alice), ("assignee_none", bob)]) == {nobody["key"]}
    assert await key_set(client, {"assignee": bob, "assignee_none": alice}) == {to_bob["key"]}


@pytest.mark.parametrize(
    "params, field",
    [({"metadata": "no-equals"}, "metadata"), ({"metadata": "=value"}, "metadata"),
     ({"metadata": "k" * 257 + "=v"}, "metadata"), ({"number": 0}, "number"), ({"number": "one"}, "number"),
     ({"id": "not-a-uuid"}, "id"), ({"assignee_none": "bob"}, "assignee_none"),
     ({"closed_after": "2024-01-01T00:00:00"}, "closed_after"), ({"closed_before": "soon"}, "closed_before"),
     ([("number", n) for n in range(1, 102)], "number"), ([("metadata", f"k{n}=v") for n in range(11)], "metadata"),
     ({"type": "x" * 65}, "type")],
)  # fmt: skip
async def test_bad_finding_filters_are_refused_naming_the_field(client, params, field):
    assert_problem(await client.get("/cases", params=params), 422, field, nested=True)


# Distinct tags and reporters


async def walk_facet(client: httpx.AsyncClient, path: str, limit: int) -> list[Any]:
    found, cursor = [], None
    for _ in range(100):
        page = (await client.get(path, params={"limit": limit, **({"cursor": cursor} if cursor else {})})).json()
        found.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("paging did not end")


async def test_tags_lists_each_tag_of_the_workspace_once_in_order(client, other_client):
    await create(client, title="a", tags=["phishing", "email"])
    await create(client, title="b", tags=["email", "vip"])
    archived = await create(client, title="c", tags=["old", "email"])
    assert (await client.delete(f"/cases/{archived['id']}")).status_code == 204
    await create(other_client, title="theirs", tags=["secret"])
    expected = ["email", "old", "phishing", "vip"]
    assert (await client.get("/tags")).json() == {"items": expected, "next_cursor": None}
    for limit in (1, 2, 3):
        assert await walk_facet(client, "/tags", limit) == expected


async def test_tags_of_an_empty_workspace_and_bad_cursors(client):
    assert (await client.get("/tags")).json() == {"items": [], "next_cursor": None}
    assert_problem(await client.get("/tags", params={"cursor": "garbage"}), 422, "cursor")
    for forged in (["a\x00"], [1], ["a", "b"]):
        assert_problem(await client.get("/tags", params={"cursor": forged_cursor(forged)}), 422, "cursor")
    assert_problem(await client.get("/tags", params={"limit": 0}), 422, "limit")


async def test_reporters_are_the_users_who_created_cases(client, tenant, people, other_client):
    alice = people["alice"]
    await create(client, alice.headers, title="a")
    await create(client, alice.headers, title="b")
    await create(client, title="c")
    await create(other_client, title="theirs")
    expected = sorted(
        [{"id": str(alice.id), "name": "Agent", "email": alice.email},
         {"id": str(tenant.admin.id), "name": "Admin", "email": tenant.admin.email}],
        key=lambda r: r["id"],
    )  # fmt: skip
    assert (await client.get("/reporters")).json() == {"items": expected, "next_cursor": None}
    assert await walk_facet(client, "/reporters", 1) == expected


async def test_tags_and_reporters_need_a_token(anonymous):
    for path in ("/api/v1/tags", "/api/v1/reporters"):
        assert (await anonymous.get(path)).status_code == 401
