"""The links service hands out LinkRecord: frozen plain values, readable once its unit of work is over, that the
native view renders exactly as the API serves them."""

import dataclasses

import pytest

from casework.auth.service import authenticate
from casework.links import service
from casework.links.records import LinkRecord
from casework.links.schemas import link_view
from tests.helpers import as_served, create


async def test_linking_and_listing_hand_out_frozen_records_equal_to_the_served_json(client, tenant):
    case, first, second = await create(client), await create(client, title="First"), await create(client, title="Second")
    linked = await client.post(f"/cases/{case['id']}/links", json={"case": first["key"], "relation": "parent"})
    assert linked.status_code == 201, linked.text

    def work(session):
        actor = authenticate(session, tenant.admin.token).actor
        link, _version = service.link_cases(session, actor, case["key"], second["key"], "duplicates")
        return link, service.list_links(session, actor, case["key"])[0]

    link, page = tenant.db.run_sync(work)
    assert all(isinstance(r, LinkRecord) for r in [link, *page])
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.relation = "related"  # type: ignore[misc]
    served = (await client.get(f"/cases/{case['id']}/links")).json()["items"]
    assert [as_served(link_view(r)) for r in page] == served
    assert as_served(link_view(link)) == served[1]
    assert link.id == page[1].id and link.title == "Second"
