"""/kibana/openapi.json describes the case routes, their bodies and their error answers, and every answer of
those routes conforms to it (checked by schemathesis against the dialect's own document)."""

import httpx
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.dialects.kibana.conftest import NEW_CASE
from tests.test_response_schemas import nonconformities

CASE_ROUTES = {
    ("post", "/api/cases"), ("patch", "/api/cases"), ("delete", "/api/cases"), ("get", "/api/cases/{caseId}"),
    ("get", "/api/cases/_find"), ("get", "/api/cases/tags"), ("get", "/api/cases/reporters"),
    ("get", "/api/cases/status"),
}


async def document(app) -> dict:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/kibana/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_the_document_lists_every_case_route_at_both_prefixes_with_boom_errors(app):
    doc = await document(app)
    operations = {(method, path) for path, item in doc["paths"].items() for method in item}
    assert CASE_ROUTES <= operations
    assert {(method, "/s/{space_id}" + path) for method, path in CASE_ROUTES} <= operations
    create = doc["paths"]["/api/cases"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CasePostRequest")
    error = create["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/KibanaErrorBody")
    assert "422" not in create["responses"]
    assert set(doc["components"]["schemas"]["KibanaErrorBody"]["properties"]) == {"statusCode", "error", "message"}


async def test_the_case_routes_answer_as_documented(app, kibana):
    schema: OpenApiSchema = schemathesis.openapi.from_dict(await document(app))

    def check(method: str, template: str, response: httpx.Response, **path: str) -> None:
        assert nonconformities(schema, method, template, response, path) == [], (template, response.text)

    created = await kibana.post("/api/cases", json=NEW_CASE)
    check("POST", "/api/cases", created)
    case = created.json()
    check("POST", "/api/cases", await kibana.post("/api/cases", json={**NEW_CASE, "title": ""}))
    check("GET", "/api/cases/{caseId}", await kibana.get(f"/api/cases/{case['id']}"), caseId=case["id"])
    check("GET", "/api/cases/{caseId}", await kibana.get("/api/cases/nope"), caseId="nope")
    patched = await kibana.patch("/api/cases", json={"cases": [{**_ref(case), "status": "closed"}]})
    check("PATCH", "/api/cases", patched)
    check("PATCH", "/api/cases", await kibana.patch("/api/cases", json={"cases": [{**_ref(case), "title": "x"}]}))
    check("GET", "/api/cases/_find", await kibana.get("/api/cases/_find"))
    check("GET", "/api/cases/_find", await kibana.get("/api/cases/_find", params={"perPage": 101}))
    check("GET", "/api/cases/tags", await kibana.get("/api/cases/tags"))
    check("GET", "/api/cases/reporters", await kibana.get("/api/cases/reporters"))
    check("GET", "/api/cases/status", await kibana.get("/api/cases/status"))
    check("DELETE", "/api/cases", await kibana.delete("/api/cases", params={"ids": case["id"]}))
    check("DELETE", "/api/cases", await kibana.delete("/api/cases", params={"ids": case["id"]}))


def _ref(case: dict) -> dict:
    return {"id": case["id"], "version": case["version"]}
