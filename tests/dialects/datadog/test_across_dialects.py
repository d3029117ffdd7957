"""One case engine behind every API: a case made through Datadog's client (with insights, a comment and an
assignee) reads the same natively and through the Kibana dialect (get and _find), and a case made through Kibana
reads through Datadog (get and search)."""

from datetime import datetime

from datadog_api_client.v2.api.case_management_api import CaseManagementApi
from datadog_api_client.v2.model.case_priority import CasePriority
from datadog_api_client.v2.model.nullable_user_relationship import NullableUserRelationship
from datadog_api_client.v2.model.nullable_user_relationship_data import NullableUserRelationshipData
from datadog_api_client.v2.model.user_resource_type import UserResourceType

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import STANDARD_TYPE_ID, new_case, unparsed_parts
from tests.dialects.datadog.test_comments_timeline import comment
from tests.dialects.datadog.test_insights import request, shown
from tests.dialects.kibana.conftest import NEW_CASE, kibana_client, kibana_headers
from tests.helpers import api_client


def same_moment(one: str, other: str | datetime) -> bool:
    """Times compared as instants: each API writes them its own way (milliseconds, Z or +00:00)."""
    first = datetime.fromisoformat(one.replace("Z", "+00:00"))
    second = other if isinstance(other, datetime) else datetime.fromisoformat(other.replace("Z", "+00:00"))
    return abs((first - second).total_seconds()) < 0.001


async def test_a_case_made_through_datadog_reads_the_same_natively_and_through_kibana(
    app, cases_api: CaseManagementApi, tenant: Tenant
):
    agent = tenant.add_member("agent")
    made = new_case(tenant.project_id, title="Heap grows on api-1", description="Since 9:00", priority=CasePriority.P2)
    made.data.relationships.assignee = NullableUserRelationship(
        data=NullableUserRelationshipData(id=str(agent.id), type=UserResourceType.USER)
    )
    case = cases_api.create_case(made).data
    cases_api.add_case_insights(case.id, request(("MONITOR", "12345", "/monitors/12345?q=total")))
    cases_api.comment_case(case.id, comment("Heap dump attached"))
    ours = cases_api.get_case(case.attributes.key)
    assert unparsed_parts(ours) == []
    attributes = ours.data.attributes
    assert shown(ours) == [("MONITOR", "12345", "/monitors/12345?q=total")]

    async with api_client(app, tenant.admin.headers) as native:
        read = (await native.get(f"/cases/{case.id}", params={"include": "insights,comments"})).json()
    assert (read["id"], read["key"], read["title"], read["description"]) == (
        case.id, attributes.key, "Heap grows on api-1", "Since 9:00",
    )
    assert (read["priority"], read["status"], read["assignees"]) == ("P2", "open", [str(agent.id)])
    assert [(i["type"], i["resource_id"], i["ref"]) for i in read["insights"]["items"]] == shown(ours)
    assert [c["body"] for c in read["comments"]["items"]] == ["Heap dump attached"]
    assert same_moment(read["updated_at"], attributes.modified_at)

    async with kibana_client(app, kibana_headers(tenant.admin.token)) as kibana:
        got = await kibana.get(f"/api/cases/{case.id}")
        comments = await kibana.get(f"/api/cases/{case.id}/comments/_find")
        found = await kibana.get("/api/cases/_find", params={"search": "Heap grows"})
    assert got.status_code == 200, got.text
    seen = got.json()
    assert (seen["id"], seen["title"], seen["description"], seen["status"]) == (
        case.id, "Heap grows on api-1", "Since 9:00", "open",
    )
    assert seen["assignees"] == [{"uid": str(agent.id)}]
    assert (seen["totalComment"], comments.status_code) == (1, 200)
    assert [c["comment"] for c in comments.json()["comments"] if c["type"] == "user"] == ["Heap dump attached"]
    assert same_moment(seen["created_at"], attributes.created_at)
    assert found.status_code == 200, found.text
    assert [(c["id"], c["title"], c["totalComment"]) for c in found.json()["cases"]] == [
        (case.id, "Heap grows on api-1", 1)
    ]


async def test_a_case_made_through_kibana_reads_through_datadog(app, cases_api: CaseManagementApi, tenant: Tenant):
    agent = tenant.add_member("agent")
    async with kibana_client(app, kibana_headers(tenant.admin.token)) as kibana:
        made = await kibana.post("/api/cases", json=NEW_CASE | {"assignees": [{"uid": str(agent.id)}]})
        assert made.status_code == 200, made.text
        kibana_case = made.json()
        commented = await kibana.post(
            f"/api/cases/{kibana_case['id']}/comments", json={"type": "user", "comment": "Seen in Kibana", "owner": "cases"}
        )
        assert commented.status_code == 200, commented.text
    got = cases_api.get_case(kibana_case["id"])
    assert unparsed_parts(got) == []
    data = got.data
    assert (data.id, data.attributes.title, data.attributes.description) == (
        kibana_case["id"], NEW_CASE["title"], NEW_CASE["description"],
    )
    assert (str(data.attributes.status), str(data.attributes.status_group), str(data.attributes.type)) == (
        "OPEN", "SG_OPEN", "STANDARD",
    )
    assert data.relationships.assignee.data.id == str(agent.id)
    assert data.relationships.created_by.data.id == str(tenant.admin.id)
    assert (data.attributes.type_id, data.attributes.custom_attributes) == (STANDARD_TYPE_ID, {})
    assert data.attributes["insights"] == []
    assert same_moment(kibana_case["created_at"], data.attributes.created_at)
    [listed] = cases_api.search_cases(filter="Case title").data
    assert listed.to_dict() == data.to_dict()
    timeline = cases_api.list_case_timeline(data.attributes.key)
    assert [cell.attributes.cell_content.message for cell in timeline.data] == ["Seen in Kibana"]
