"""The alerts service hands out frozen records, complete once its unit of work is over, rendering as the API
answers."""

from dataclasses import FrozenInstanceError

import pytest

from casework.alerts import service
from casework.alerts.records import AlertRecord
from casework.alerts.schemas import AlertAttach, alert_view
from tests.alerts.support import admin_actor, attached
from tests.helpers import as_served, create


async def test_the_alert_listing_hands_out_frozen_records_equal_to_the_native_view(client, tenant, db):
    case = await create(client)
    actor = admin_actor(tenant)
    with_rule = AlertAttach(alert_ids=["a-1", "a-2"], indexes=[".alerts", ".other"], rule={"id": "r", "name": "Rule"})
    outcome = db.run_sync(service.attach_alerts, actor, case["id"], with_rule)
    db.run_sync(service.attach_alerts, actor, case["id"], AlertAttach(alert_ids="a-3", indexes=".alerts"))

    first, cursor = db.run_sync(service.list_alerts, actor, case["id"], None, 2, write=False)
    rest, end = db.run_sync(service.list_alerts, actor, case["id"], cursor, 2, write=False)
    records = first + rest
    assert end is None
    for alert in records:
        assert isinstance(alert, AlertRecord) and not hasattr(alert, "__dict__")
        with pytest.raises(FrozenInstanceError):
            alert.owner = "other"  # type: ignore[misc]
    assert [(a.alert_id, a.index, a.rule_id, a.rule_name) for a in records] == [
        ("a-1", ".alerts", "r", "Rule"),
        ("a-2", ".other", "r", "Rule"),
        ("a-3", ".alerts", None, None),
    ]
    assert {a.attachment_id for a in first} == {outcome.attachment_id}
    assert {str(a.case_id) for a in records} == {case["id"]}
    assert as_served([alert_view(a) for a in records]) == await attached(client, case)
