"""/kibana/openapi.json describes the comment, alert and user action routes, their bodies and their error answers,
and every answer of those routes conforms to it (checked by schemathesis against the dialect's own document)."""

import httpx
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.dialects.kibana.attachment_support import alert, new_case, user_comment
from tests.dialects.kibana.test_openapi import document
from tests.test_response_schemas import nonconformities

ROUTES = {
    ("post", "/api/cases/{caseId}/comments"), ("patch", "/api/cases/{caseId}/comments"),
    ("delete", "/api/cases/{caseId}/comments"), ("get", "/api/cases/{caseId}/comments"),
    ("get", "/api/cases/{caseId}/comments/_find"), ("get", "/api/cases/{caseId}/comments/{commentId}"),
    ("delete", "/api/cases/{caseId}/comments/{commentId}"), ("get", "/api/cases/{caseId}/alerts"),
    ("get", "/api/cases/alerts/{alertId}"), ("get", "/api/cases/{caseId}/user_actions/_find"),
    ("get", "/api/cases/{caseId}/user_actions"),
}  # fmt: skip


async def test_the_document_lists_every_attachment_route_at_both_prefixes_with_boom_errors(app):
    doc = await document(app)
    operations = {(method, path) for path, item in doc["paths"].items() for method in item}
    assert ROUTES <= operations
    assert {(method, "/s/{space_id}" + path) for method, path in ROUTES} <= operations
    add = doc["paths"]["/api/cases/{caseId}/comments"]["post"]
    body = add["requestBody"]["content"]["application/json"]["schema"]
    assert {ref["$ref"].rpartition("/")[2] for ref in body["oneOf"]} == {"UserCommentRequest", "AlertRequest"}
    assert add["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CaseWithComments")
    assert add["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"].endswith("/KibanaErrorBody")
    assert "422" not in add["responses"]
    assert doc["paths"]["/api/cases/{caseId}/comments"]["get"]["deprecated"] is True


async def test_the_attachment_routes_answer_as_documented(app, kibana):
    schema: OpenApiSchema = schemathesis.openapi.from_dict(await document(app))

    def check(method: str, template: str, response: httpx.Response, **path: str) -> None:
        assert nonconformities(schema, method, template, response, path) == [], (template, response.text)

    case = await new_case(kibana)
    at = {"caseId": case["id"]}
    comments = f"/api/cases/{case['id']}/comments"
    added = await kibana.post(comments, json=user_comment())
    check("POST", "/api/cases/{caseId}/comments", added, **at)
    with_alert = await kibana.post(comments, json=alert(["a", "b"], ["i", "j"]))
    check("POST", "/api/cases/{caseId}/comments", with_alert, **at)
    check("POST", "/api/cases/{caseId}/comments", await kibana.post(comments, json=alert(owner="observability")), **at)
    comment, attached = with_alert.json()["comments"]
    check("GET", "/api/cases/{caseId}/comments", await kibana.get(comments), **at)
    check("GET", "/api/cases/{caseId}/comments/_find", await kibana.get(f"{comments}/_find"), **at)
    check("GET", "/api/cases/{caseId}/comments/_find", await kibana.get(f"{comments}/_find?perPage=101"), **at)
    for item in (comment, attached):
        one = await kibana.get(f"{comments}/{item['id']}")
        check("GET", "/api/cases/{caseId}/comments/{commentId}", one, **at, commentId=item["id"])
    missing = await kibana.get(f"{comments}/nope")
    check("GET", "/api/cases/{caseId}/comments/{commentId}", missing, **at, commentId="nope")
    change = user_comment("changed") | {"id": comment["id"], "version": comment["version"]}
    check("PATCH", "/api/cases/{caseId}/comments", await kibana.patch(comments, json=change), **at)
    check("PATCH", "/api/cases/{caseId}/comments", await kibana.patch(comments, json=change), **at)
    check("GET", "/api/cases/{caseId}/alerts", await kibana.get(f"/api/cases/{case['id']}/alerts"), **at)
    check("GET", "/api/cases/alerts/{alertId}", await kibana.get("/api/cases/alerts/a"), alertId="a")
    actions = f"/api/cases/{case['id']}/user_actions"
    check("GET", "/api/cases/{caseId}/user_actions/_find", await kibana.get(f"{actions}/_find"), **at)
    check("GET", "/api/cases/{caseId}/user_actions/_find", await kibana.get(f"{actions}/_find?types=x"), **at)
    check("GET", "/api/cases/{caseId}/user_actions", await kibana.get(actions), **at)
    deleted = await kibana.delete(f"{comments}/{attached['id']}")
    check("DELETE", "/api/cases/{caseId}/comments/{commentId}", deleted, **at, commentId=attached["id"])
    check("DELETE", "/api/cases/{caseId}/comments", await kibana.delete(comments), **at)
    check("DELETE", "/api/cases/{caseId}/comments", await kibana.delete(comments), **at)
