"""The contract's example of a case answer (the seed's 200 of PUT /api/v2/cases/{case_id}/insights), verbatim: a
case from casework has exactly its members, at every level, and the client reads both alike."""

import json

from datadog_api_client.model_utils import validate_and_convert_types
from datadog_api_client.v2.model.case_response import CaseResponse

from tests.conftest import Tenant
from tests.dialects.datadog.conftest import new_case, unparsed_parts

SEED_CASE_RESPONSE = json.loads("""
{
  "data": {
    "attributes": {
      "archived_at": "2019-09-19T10:00:00.000Z",
      "attributes": {
        "<any-key>": []
      },
      "closed_at": "2019-09-19T10:00:00.000Z",
      "created_at": "2019-09-19T10:00:00.000Z",
      "custom_attributes": {
        "<any-key>": {
          "is_multi": false,
          "type": "NUMBER",
          "value": {
            "description": "",
            "type": ""
          }
        }
      },
      "description": "string",
      "jira_issue": {
        "result": {
          "issue_id": "string",
          "issue_key": "string",
          "issue_url": "string",
          "project_key": "string"
        },
        "status": "COMPLETED"
      },
      "key": "CASEM-4523",
      "modified_at": "2019-09-19T10:00:00.000Z",
      "priority": "NOT_DEFINED",
      "service_now_ticket": {
        "result": {
          "sys_target_link": "string"
        },
        "status": "COMPLETED"
      },
      "status": "OPEN",
      "status_group": "SG_OPEN",
      "status_name": "Open",
      "title": "Memory leak investigation on API",
      "type": "STANDARD",
      "type_id": "3b010bde-09ce-4449-b745-71dd5f861963"
    },
    "id": "aeadc05e-98a8-11ec-ac2c-da7ad0900001",
    "relationships": {
      "assignee": {
        "data": {
          "id": "00000000-0000-0000-0000-000000000000",
          "type": "user"
        }
      },
      "created_by": {
        "data": {
          "id": "00000000-0000-0000-0000-000000000000",
          "type": "user"
        }
      },
      "modified_by": {
        "data": {
          "id": "00000000-0000-0000-0000-000000000000",
          "type": "user"
        }
      },
      "project": {
        "data": {
          "id": "e555e290-ed65-49bd-ae18-8acbfcf18db7",
          "type": "project"
        }
      }
    },
    "type": "case"
  }
}
""")


def test_a_case_answer_has_the_members_of_the_seeds_example(datadog_http, cases_api, tenant: Tenant):
    agent = tenant.add_member("agent")
    case = cases_api.create_case(new_case(tenant.project_id)).data
    datadog_http.post(
        f"/api/v2/cases/{case.id}/assign",
        json={"data": {"type": "case", "attributes": {"assignee_id": str(agent.id)}}},
    )
    ours = datadog_http.get(f"/api/v2/cases/{case.id}").json()
    seed = SEED_CASE_RESPONSE
    assert set(ours) == set(seed) and set(ours["data"]) == set(seed["data"])
    # Beside the seed's members, the insights every case answer carries, as Datadog's own answers do.
    assert set(ours["data"]["attributes"]) == set(seed["data"]["attributes"]) | {"insights"}
    assert ours["data"]["attributes"]["insights"] == []
    assert set(ours["data"]["relationships"]) == set(seed["data"]["relationships"])
    for name, link in seed["data"]["relationships"].items():
        assert set(ours["data"]["relationships"][name]["data"]) == set(link["data"])
        assert ours["data"]["relationships"][name]["data"]["type"] == link["data"]["type"]
    for name in ("priority", "status", "status_group", "status_name", "title", "type"):
        assert ours["data"]["attributes"][name] == seed["data"]["attributes"][name]
    assert ours["data"]["type"] == seed["data"]["type"]


def test_the_client_reads_the_seeds_example_and_ours_alike(datadog_http, cases_api, tenant: Tenant):
    config = cases_api.api_client.configuration
    case_id = cases_api.create_case(new_case(tenant.project_id)).data.id
    ours = datadog_http.get(f"/api/v2/cases/{case_id}").json()
    for answer in (SEED_CASE_RESPONSE, ours):
        parsed = validate_and_convert_types(answer, (CaseResponse,), ["received_data"], True, True, config)
        assert parsed.data.attributes.title
        # The seed's custom attribute value is an object, which the client cannot parse; casework sends none such.
        if answer is ours:
            assert unparsed_parts(parsed) == []
