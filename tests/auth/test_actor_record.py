"""An authenticated actor carries its user's record and the generation it was checked at: answers naming only the
actor read no user, a renamed user is named anew from the next request on (a cached credential included), and a
dialect's documents are read once per generation."""

from tests.conftest import Tenant
from tests.dialects.kibana.conftest import NEW_CASE, kibana_client, kibana_headers
from tests.helpers import Issued, issued_statements

CONFIGURE = {
    "owner": "cases",
    "connector": {"id": "none", "name": "none", "type": ".none", "fields": None},
    "closure_type": "close-by-user",
}


def reading(issued: list[Issued], table: str) -> list[str]:
    return [s.sql for s in issued if f"FROM {table}" in s.sql]


async def test_an_answer_naming_only_the_actor_reads_no_user_and_one_naming_another_does(app, db, tenant: Tenant):
    agent = tenant.add_member("agent")
    async with kibana_client(app, kibana_headers(tenant.admin.token)) as admin, kibana_client(
        app, kibana_headers(agent.token)
    ) as other:
        case = (await admin.post("/api/cases", json=NEW_CASE)).json()
        await admin.get(f"/api/cases/{case['id']}")  # the admin's credential is now cached
        with issued_statements(db.engine) as issued:
            own = await admin.get(f"/api/cases/{case['id']}")
            assert own.json()["created_by"]["email"] == "admin@example.com" and reading(issued, "users") == []
            by_other = await other.get(f"/api/cases/{case['id']}")
            assert by_other.json()["created_by"] == own.json()["created_by"] and len(reading(issued, "users")) == 1


async def test_a_renamed_user_is_named_anew_by_the_next_answer(app, client, tenant: Tenant):
    async with kibana_client(app, kibana_headers(tenant.admin.token)) as kibana:
        case = (await kibana.post("/api/cases", json=NEW_CASE)).json()
        before = (await kibana.get(f"/api/cases/{case['id']}")).json()["created_by"]["full_name"]
        renamed = await client.patch(f"/users/{tenant.admin.id}", json={"name": "Renamed Admin"})
        assert renamed.status_code == 200, renamed.text
        after = (await kibana.get(f"/api/cases/{case['id']}")).json()["created_by"]["full_name"]
    assert before != "Renamed Admin" and after == "Renamed Admin"


async def test_the_owner_s_configuration_is_read_once_until_it_changes(app, db, tenant: Tenant):
    async with kibana_client(app, kibana_headers(tenant.admin.token)) as kibana:
        case = (await kibana.post("/api/cases", json=NEW_CASE)).json()
        await kibana.get(f"/api/cases/{case['id']}")
        with issued_statements(db.engine) as issued:
            assert (await kibana.get(f"/api/cases/{case['id']}")).json()["customFields"] == []
            assert reading(issued, "vendor_settings") == []
            field = {"key": "k1", "label": "Region", "type": "text", "required": False}
            configured = await kibana.post("/api/cases/configure", json={**CONFIGURE, "customFields": [field]})
            assert configured.status_code == 200, configured.text
            shown = (await kibana.get(f"/api/cases/{case['id']}")).json()["customFields"]
            assert shown == [{"key": "k1", "type": "text", "value": None}] and reading(issued, "vendor_settings")
