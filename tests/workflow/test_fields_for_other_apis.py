"""What other APIs' custom attributes need of field definitions: a field named by its id too, every case type's
fields at once, and a select field defined before its options."""

import uuid

import pytest

from casework.errors import InvalidInput, NotFound
from casework.workflow.fields import service
from casework.workflow.fields.schemas import FieldCreate, FieldUpdate
from tests.comments.test_comment_records import admin_actor
from tests.helpers import assert_problem, create
from tests.workflow.fields_support import define
from tests.workflow.test_fields_of_types import STANDARD_ID, new_type


async def test_a_type_s_field_is_found_by_its_id_after_its_key_and_handle(client, tenant, db):
    incident = await new_type(client, "Incident")
    field = await define(client, "host", path=f"/types/{incident['id']}/fields")
    actor = admin_actor(tenant)
    type_id, found = db.run_sync(service.get_type_field, actor, incident["id"], field["id"], write=False)
    assert (str(type_id), found.key) == (incident["id"], "host")
    # A key that looks like an id still names its own field first.
    twin = await define(client, field["id"], path=f"/types/{STANDARD_ID}/fields")
    _, found = db.run_sync(service.get_type_field, actor, STANDARD_ID, field["id"], write=False)
    assert str(found.id) == twin["id"]
    with pytest.raises(NotFound):
        db.run_sync(service.get_type_field, actor, STANDARD_ID, str(uuid.uuid4()), write=False)


async def test_every_type_s_fields_come_with_the_id_the_type_shows(client, other, tenant, db):
    incident = await new_type(client, "Incident")
    await define(client, "host", path=f"/types/{incident['id']}/fields")
    await define(client, "source", path=f"/types/{STANDARD_ID}/fields")
    await define(client, "team")  # a project's field: no type
    listed = db.run_sync(service.list_fields_of_types, admin_actor(tenant), write=False)
    assert [(str(type_id), field.key) for type_id, field in listed] == [(STANDARD_ID, "source"), (incident["id"], "host")]
    assert db.run_sync(service.list_fields_of_types, admin_actor(other), write=False) == []


async def test_a_select_field_may_await_its_options_and_takes_no_value_until_then(client, tenant, db):
    actor = admin_actor(tenant)
    data = FieldCreate(key="tier", label="Tier", type="select")
    with pytest.raises(InvalidInput):
        db.run_sync(service.create_type_field, actor, STANDARD_ID, data)
    _, field = db.run_sync(service.create_type_field, actor, STANDARD_ID, data, True)
    assert field.options == []
    assert_problem(await client.post("/cases", json={"title": "T", "fields": {"tier": "gold"}}), 422, "fields.tier")
    options = FieldUpdate.model_validate({"options": [{"id": "gold", "label": "Gold"}]})
    db.run_sync(service.update_type_field, actor, STANDARD_ID, "tier", options)
    assert (await create(client, fields={"tier": "gold"}))["fields"] == {"tier": "gold"}
