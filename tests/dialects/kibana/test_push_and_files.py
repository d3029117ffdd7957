"""Kibana's connector routes (no connectors here: an empty list, and a push answers as for an unknown connector) and
its file upload, through casework's files of a case."""

import httpx
import pytest
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from casework.app import create_app

from tests.conftest import Tenant
from tests.dialects.kibana.conftest import NEW_CASE, kibana_client, kibana_headers
from tests.dialects.kibana.test_configure import CONFIGURATION, boom
from tests.dialects.kibana.test_openapi import document
from tests.helpers import api_client
from tests.test_response_schemas import nonconformities


async def new_case(kibana: httpx.AsyncClient) -> dict:
    response = await kibana.post("/api/cases", json=NEW_CASE)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_there_are_no_connectors_to_find(kibana):
    response = await kibana.get("/api/cases/configure/connectors/_find")
    assert (response.status_code, response.json()) == (200, [])
    assert (await kibana.get("/s/any/api/cases/configure/connectors/_find")).json() == []


async def test_connectors_need_credentials(app):
    async with kibana_client(app) as client:
        boom(await client.get("/api/cases/configure/connectors/_find"), 401)


async def test_a_push_names_the_unknown_connector_once_the_case_is_found(kibana):
    case = await new_case(kibana)
    boom(
        await kibana.post(f"/api/cases/{case['id']}/connector/jira-1/_push", json={}),
        404,
        "Saved object [action/jira-1] not found",
    )
    boom(await kibana.post(f"/api/cases/{case['id']}/connector/jira-1/_push"), 404, "Saved object [action/jira-1] not found")
    unknown = "5d5b6c9e-0000-4000-8000-000000000000"
    boom(await kibana.post(f"/api/cases/{unknown}/connector/jira-1/_push"), 404, f"Saved object [cases/{unknown}] not found")
    after = (await kibana.get(f"/api/cases/{case['id']}")).json()
    assert (after["version"], after["external_service"]) == (case["version"], None)


async def test_a_push_is_a_write_and_needs_kbn_xsrf(app, kibana, tenant: Tenant):
    case = await new_case(kibana)
    headers = {"Authorization": kibana_headers(tenant.admin.token)["Authorization"]}
    async with kibana_client(app, headers) as client:
        boom(await client.post(f"/api/cases/{case['id']}/connector/x/_push"), 400, "Request must contain a kbn-xsrf header.")


async def upload(kibana: httpx.AsyncClient, case_id: str, name: str, data: bytes = b"some notes\n", **form: str):
    return await kibana.post(f"/api/cases/{case_id}/files", files={"file": (name, data)}, data=form)


async def test_an_uploaded_file_is_a_file_attachment_of_the_case(app, kibana, tenant: Tenant):
    case = await new_case(kibana)
    response = await upload(kibana, case["id"], "notes.txt")
    assert response.status_code == 200, response.text
    answered = response.json()
    assert answered["id"] == case["id"] and answered["version"] != case["version"]
    assert answered["totalComment"] == 1
    [attachment] = answered["comments"]
    assert attachment["type"] == "externalReference" and attachment["owner"] == "cases"
    assert attachment["externalReferenceAttachmentTypeId"] == ".files"
    assert attachment["externalReferenceStorage"] == {"type": "savedObject", "soType": "file"}
    [meta] = attachment["externalReferenceMetadata"]["files"]
    assert (meta["name"], meta["extension"], meta["mimeType"]) == ("notes", "txt", "text/plain")
    assert meta["created"] == attachment["created_at"]
    assert attachment["created_by"]["profile_uid"] == str(tenant.admin.id)
    assert attachment["pushed_at"] is None and attachment["updated_by"] is None
    async with api_client(app, tenant.admin.headers) as native:
        files = (await native.get(f"/cases/{case['id']}/files")).json()["items"]
        assert [(f["id"], f["filename"], f["size"]) for f in files] == [(attachment["id"], "notes.txt", 11)]
        content = await native.get(f"/cases/{case['id']}/files/{attachment['id']}/content")
        assert content.content == b"some notes\n"


async def test_the_answer_shows_the_owners_configured_custom_fields(kibana):
    await kibana.post("/api/cases/configure", json=CONFIGURATION)
    case = await new_case(kibana)
    answered = (await upload(kibana, case["id"], "notes.txt")).json()
    assert [(f["key"], f["type"]) for f in answered["customFields"]] == [
        (f["key"], f["type"]) for f in CONFIGURATION["customFields"]
    ]


async def test_the_filename_part_names_the_file_and_the_upload_gives_its_type(kibana):
    case = await new_case(kibana)
    response = await upload(kibana, case["id"], "scan.PDF", b"%PDF-1.4\n", filename="Quarterly report")
    assert response.status_code == 200, response.text
    [meta] = response.json()["comments"][0]["externalReferenceMetadata"]["files"]
    assert (meta["name"], meta["extension"], meta["mimeType"]) == ("Quarterly report", "pdf", "application/pdf")
    second = await upload(kibana, case["id"], "logs.json", b"{}")
    assert [c["externalReferenceMetadata"]["files"][0]["name"] for c in second.json()["comments"]] == [
        "Quarterly report",
        "logs",
    ]


@pytest.mark.parametrize(
    ("name", "form", "message"),
    [
        ("page.html", {}, "The mime type field value text/html is not allowed."),
        ("README", {}, 'Invalid value "undefined" supplied to "mimeType"'),
        ("notes.txt", {"filename": " "}, "The filename field cannot be an empty string."),
        ("notes.txt", {"filename": "n" * 161}, "The length of the filename is too long. The maximum length is 160."),
    ],
)
async def test_a_file_kibana_would_refuse_is_a_400_and_nothing_is_stored(app, kibana, tenant: Tenant, name, form, message):
    case = await new_case(kibana)
    boom(await upload(kibana, case["id"], name, **form), 400, message)
    async with api_client(app, tenant.admin.headers) as native:
        assert (await native.get(f"/cases/{case['id']}/files")).json()["items"] == []


async def test_an_upload_needs_multipart_with_a_file_and_a_known_case(kibana):
    case = await new_case(kibana)
    path = f"/api/cases/{case['id']}/files"
    boom(await kibana.post(path, json={"file": "x"}), 415)
    boom(await kibana.post(path, files={"other": ("a.txt", b"x")}), 400, 'Invalid value "undefined" supplied to "file"')
    unknown = "5d5b6c9e-0000-4000-8000-000000000000"
    boom(await upload(kibana, unknown, "a.txt"), 404, f"Saved object [cases/{unknown}] not found")


async def test_a_file_is_as_large_as_casework_allows_a_file_whatever_the_body_limit(db, settings, tenant: Tenant):
    app = create_app(settings.model_copy(update={"max_body_bytes": 2048, "max_file_bytes": 8192}), db)
    async with kibana_client(app, kibana_headers(tenant.admin.token)) as kibana:
        case = await new_case(kibana)
        assert (await upload(kibana, case["id"], "big.txt", b"x" * 8192)).status_code == 200
        boom(await upload(kibana, case["id"], "bigger.txt", b"x" * 8193), 413)
        boom(await kibana.post(f"/s/a/api/cases/{case['id']}/files", files={"file": ("b.txt", b"x" * 8193)}), 413)


async def test_the_settings_connector_and_file_routes_answer_as_documented(app, kibana):
    doc = await document(app)
    operations = {(method, path) for path, item in doc["paths"].items() for method in item}
    routes = {
        ("get", "/api/cases/configure"), ("post", "/api/cases/configure"),
        ("patch", "/api/cases/configure/{configurationId}"), ("get", "/api/cases/configure/connectors/_find"),
        ("post", "/api/cases/{caseId}/connector/{connectorId}/_push"), ("post", "/api/cases/{caseId}/files"),
    }  # fmt: skip
    assert routes <= operations and {(m, "/s/{space_id}" + p) for m, p in routes} <= operations
    form = doc["paths"]["/api/cases/{caseId}/files"]["post"]["requestBody"]["content"]
    assert form["multipart/form-data"]["schema"]["required"] == ["file"]
    schema: OpenApiSchema = schemathesis.openapi.from_dict(doc)

    def check(method: str, template: str, response: httpx.Response, **path: str) -> None:
        response.request.read()  # a multipart body is a stream until read
        assert nonconformities(schema, method, template, response, path) == [], (template, response.text)

    made = await kibana.post("/api/cases/configure", json=CONFIGURATION)
    check("POST", "/api/cases/configure", made)
    check("POST", "/api/cases/configure", await kibana.post("/api/cases/configure", json={"owner": "cases"}))
    check("GET", "/api/cases/configure", await kibana.get("/api/cases/configure"))
    configuration = made.json()
    patch = f"/api/cases/configure/{configuration['id']}"
    for version in (configuration["version"], configuration["version"]):  # then stale: a 409
        response = await kibana.patch(patch, json={"version": version, "closure_type": "close-by-pushing"})
        check("PATCH", "/api/cases/configure/{configurationId}", response, configurationId=configuration["id"])
    check("GET", "/api/cases/configure/connectors/_find", await kibana.get("/api/cases/configure/connectors/_find"))
    case = await new_case(kibana)
    pushed = await kibana.post(f"/api/cases/{case['id']}/connector/c/_push")
    check("POST", "/api/cases/{caseId}/connector/{connectorId}/_push", pushed, caseId=case["id"], connectorId="c")
    check("POST", "/api/cases/{caseId}/files", await upload(kibana, case["id"], "a.txt"), caseId=case["id"])
    check("POST", "/api/cases/{caseId}/files", await upload(kibana, case["id"], "a.html"), caseId=case["id"])
