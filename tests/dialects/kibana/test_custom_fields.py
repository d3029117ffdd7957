"""Kibana's checks of a case's custom field values and of templates against the owner's configuration (pure)."""

import pytest

from casework.dialects.kibana import custom_fields
from casework.dialects.kibana.errors import KibanaError
from tests.dialects.kibana.test_configure import FIELDS


def refused(check, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(KibanaError) as caught:
        check(*args)
    assert caught.value.status_code == 400
    return str(caught.value.detail)


def value(key: str, kind: str, given: object) -> dict:
    return {"key": key, "type": kind, "value": given}


def test_values_that_fit_the_configuration_pass():
    custom_fields.check_case_values(FIELDS, [value("ticket", "text", "T-1"), value("team", "list", "soc")])
    custom_fields.check_case_values(FIELDS, [])  # the required fields have defaults
    custom_fields.check_case_values(None, [])


@pytest.mark.parametrize(
    ("configs", "values", "message"),
    [
        (FIELDS, [value("ticket", "text", "a"), value("ticket", "text", "b")], "Invalid duplicated customFields keys in request: ticket"),
        (None, [value("ticket", "text", "a")], "No custom fields configured."),
        (FIELDS, [value("nope", "text", "a"), value("gone", "text", "b")], "Invalid custom field keys: nope,gone"),
        (
            [{**FIELDS[0], "required": True}],
            [],
            'Missing required custom fields without default value configured: "Ticket"',
        ),
        (FIELDS, [value("urgent", "toggle", None)], 'Invalid value "null" supplied for the following required custom fields: "Urgent"'),
        (FIELDS, [value("impact", "text", "3")], 'The following custom fields have the wrong type in the request: "Impact"'),
    ],
)
def test_values_kibana_refuses_are_refused_in_its_words(configs, values, message):
    assert refused(custom_fields.check_case_values, configs, values) == message


def test_templates_follow_the_configured_fields():
    template = {"key": "t", "name": "T", "caseFields": {"customFields": [value("ticket", "text", "x"), value("old", "text", "y")]}}
    [filled] = custom_fields.fill_templates([template], FIELDS[:2])
    assert filled["caseFields"]["customFields"] == [value("ticket", "text", "x"), value("urgent", "toggle", False)]
    assert custom_fields.fill_templates([template], []) [0]["caseFields"]["customFields"] == []
    assert template["caseFields"]["customFields"][1]["key"] == "old"  # the given template is left as it was
