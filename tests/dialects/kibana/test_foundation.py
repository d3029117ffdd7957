"""The dialect's plumbing: credentials, spaces, the kbn-xsrf rule, Boom errors, and a case's shape."""

import base64

import pytest

from casework.dialects.kibana import wire
from tests.conftest import Tenant
from tests.dialects.kibana.conftest import NEW_CASE, kibana_client
from tests.helpers import api_client


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def test_a_created_case_has_every_field_of_kibanas_case(kibana, tenant: Tenant):
    created = await kibana.post("/api/cases", json=NEW_CASE)
    assert created.status_code == 200, created.text
    case = created.json()
    assert set(case) == {
        "assignees", "category", "closed_at", "closed_by", "comments", "connector", "created_at", "created_by",
        "customFields", "description", "duration", "external_service", "id", "owner", "settings", "severity",
        "status", "tags", "title", "totalAlerts", "totalComment", "updated_at", "updated_by", "version",
    }
    assert case["version"] == "WzEsMV0="  # [1,1]
    assert case["status"] == "open" and case["severity"] == "low"
    assert case["updated_by"] is None and case["updated_at"] is None
    assert case["connector"] == NEW_CASE["connector"] and case["settings"] == {"syncAlerts": False}
    assert case["created_by"] == {
        "email": "admin@example.com", "full_name": "Admin", "username": "admin@example.com",
        "profile_uid": str(tenant.admin.id),
    }
    fetched = await kibana.get(f"/api/cases/{case['id']}")
    assert fetched.json() == case


@pytest.mark.parametrize("form", ["ApiKey", "ApiKey id:token", "Basic"])
async def test_each_credential_form_kibana_clients_send_is_read(app, tenant: Tenant, form):
    token = tenant.admin.token
    authorization = {
        "ApiKey": f"ApiKey {token}",
        "ApiKey id:token": f"ApiKey {b64('key-id:' + token)}",
        "Basic": f"Basic {b64(tenant.admin.email + ':' + token)}",
    }[form]
    async with kibana_client(app, {"Authorization": authorization, "kbn-xsrf": "x"}) as client:
        assert (await client.post("/api/cases", json=NEW_CASE)).status_code == 200


async def test_every_space_is_the_workspace(kibana):
    created = (await kibana.post("/s/some-space/api/cases", json=NEW_CASE)).json()
    assert (await kibana.get(f"/api/cases/{created['id']}")).status_code == 200
    assert (await kibana.get(f"/s/another/api/cases/{created['id']}")).json()["id"] == created["id"]


async def test_missing_credentials_are_a_boom_401(app):
    async with kibana_client(app) as client:
        response = await client.post("/api/cases", json=NEW_CASE)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"statusCode", "error", "message"}
    assert body["statusCode"] == 401 and body["error"] == "Unauthorized" and body["message"]


async def test_a_write_without_kbn_xsrf_is_refused_after_authentication(app, tenant: Tenant):
    async with kibana_client(app, {"Authorization": f"ApiKey {tenant.admin.token}"}) as client:
        refused = await client.post("/api/cases", json={"not": "even valid"})
        read = await client.get("/api/cases/00000000-0000-0000-0000-000000000000")
    assert refused.status_code == 400
    assert refused.json() == {"statusCode": 400, "error": "Bad Request", "message": "Request must contain a kbn-xsrf header."}
    assert read.status_code == 404
    headers = {"Authorization": f"ApiKey {tenant.admin.token}", "kbn-version": "8.15.0"}
    async with kibana_client(app, headers) as client:
        assert (await client.post("/api/cases", json=NEW_CASE)).status_code == 200
    async with kibana_client(app, {"kbn-xsrf": ""}) as client:
        assert (await client.post("/api/cases", json=NEW_CASE)).status_code == 401


async def test_an_unknown_key_is_a_400_naming_it(kibana):
    response = await kibana.post("/api/cases", json={**NEW_CASE, "badKey": 1})
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "error": "Bad Request", "message": 'invalid keys "badKey"'}


async def test_an_unknown_case_is_kibanas_missing_saved_object(kibana):
    response = await kibana.get("/api/cases/3f2a1c4e-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["message"] == "Saved object [cases/3f2a1c4e-0000-4000-8000-000000000000] not found"


async def test_a_case_created_through_kibana_reads_natively_with_source_kibana(kibana, app, tenant: Tenant):
    created = (await kibana.post("/api/cases", json=NEW_CASE)).json()
    async with api_client(app, tenant.admin.headers) as native:
        case = (await native.get(f"/cases/{created['id']}")).json()
        log = (await native.get(f"/cases/{case['key']}/activity")).json()["items"]
    assert case["title"] == "Case title 1" and case["owner"] == "cases" and case["tags"] == ["tag 1"]
    assert [(entry["action"], entry["source"]) for entry in log] == [("created", "kibana")]



def test_kibanas_severities_are_caseworks_in_the_same_words():
    assert wire.SEVERITIES == ("low", "medium", "high", "critical")


@pytest.mark.parametrize("version", [1, 2, 532, 2**31])
def test_a_version_reads_back_from_its_kibana_form(version):
    assert wire.decode_version(wire.encode_version(version)) == version


def test_versions_are_kibanas_base64_pairs():
    assert wire.encode_version(2) == "WzIsMV0="
    assert [wire.decode_version(v) for v in ("WzUzMiwxXQ==", "bm9wZQ==", "not base64!", "WzAsMV0=")] == [532, None, None, None]
