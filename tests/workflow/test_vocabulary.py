"""The vendor vocabulary tables: every value both ways, round trips, the documented asymmetries, and refusals."""

import pytest

from casework.workflow.vocabulary import (
    PRIORITIES,
    VocabularyError,
    from_datadog_priority,
    from_talkdesk_priority,
    from_tines_priority,
    to_datadog_priority,
    to_talkdesk_priority,
    to_tines_priority,
)

# (casework value, vendor value) for every pair that maps one to one.
TINES = [("P1", "CRITICAL"), ("P2", "HIGH"), ("P3", "MEDIUM"), ("P4", "LOW"), ("P5", "INFO")]
TALKDESK = [("P1", "URGENT"), ("P2", "HIGH"), ("P3", "NORMAL"), ("P4", "LOW")]
DATADOG = [*((p, p) for p in PRIORITIES), (None, "NOT_DEFINED")]

# (to, from, one-to-one pairs, vendor values compared case-insensitively?)
VENDORS = {
    "tines": (to_tines_priority, from_tines_priority, TINES, True),
    "talkdesk": (to_talkdesk_priority, from_talkdesk_priority, TALKDESK, True),
    "datadog": (to_datadog_priority, from_datadog_priority, DATADOG, False),
}


@pytest.mark.parametrize(
    ("to", "from_", "ours", "theirs"),
    [
        pytest.param(to, from_, ours, theirs, id=f"{name}-{ours}-{theirs}")
        for name, (to, from_, pairs, _) in VENDORS.items()
        for ours, theirs in pairs
    ],
)
def test_each_value_maps_both_ways(to, from_, ours, theirs):
    assert to(ours) == theirs
    assert from_(theirs) == ours


# Round trips over the whole casework vocabulary, minus the values the module docstring lists as asymmetric.
ROUND_TRIPS = {
    "tines": [*PRIORITIES],  # None -> LOW -> P4
    "talkdesk": ["P1", "P2", "P3", "P4"],  # P5 -> LOW -> P4; None -> NORMAL -> P3
    "datadog": [*PRIORITIES, None],
}


@pytest.mark.parametrize(
    ("to", "from_", "value"),
    [
        pytest.param(VENDORS[name][0], VENDORS[name][1], value, id=f"{name}-{value}")
        for name, values in ROUND_TRIPS.items()
        for value in values
    ],
)
def test_round_trip(to, from_, value):
    assert from_(to(value)) == value


def test_round_trips_cover_everything_but_the_asymmetries():
    # Guards ROUND_TRIPS against silently dropping a value: what is left out is exactly the documented asymmetries.
    priorities = {*PRIORITIES, None}
    assert priorities - set(ROUND_TRIPS["tines"]) == {None}
    assert priorities - set(ROUND_TRIPS["talkdesk"]) == {"P5", None}
    assert priorities - set(ROUND_TRIPS["datadog"]) == set()


def test_tines_has_no_empty_priority_so_none_is_sent_as_its_default_low():
    assert to_tines_priority(None) == "LOW"
    assert from_tines_priority("LOW") == "P4"


def test_talkdesk_has_four_levels_so_p5_is_sent_as_low_and_reads_back_as_p4():
    assert to_talkdesk_priority("P5") == "LOW"
    assert from_talkdesk_priority("LOW") == "P4"


def test_talkdesk_has_no_empty_priority_so_none_is_sent_as_its_default_normal():
    assert to_talkdesk_priority(None) == "NORMAL"
    assert from_talkdesk_priority("NORMAL") == "P3"


@pytest.mark.parametrize(
    ("from_", "theirs"),
    [(from_tines_priority, t) for _, t in TINES] + [(from_talkdesk_priority, t) for _, t in TALKDESK],
)
@pytest.mark.parametrize("fold", [str.lower, str.title], ids=["lower", "title"])
def test_tines_and_talkdesk_values_are_read_case_insensitively(from_, theirs, fold):
    assert from_(fold(theirs)) == from_(theirs)


@pytest.mark.parametrize(
    ("from_", "theirs"),
    [(from_datadog_priority, "p1"), (from_datadog_priority, "not_defined")],
)
def test_datadog_values_are_exact(from_, theirs):
    with pytest.raises(VocabularyError):
        from_(theirs)


@pytest.mark.parametrize(
    ("from_", "value", "allowed"),
    [
        (from_tines_priority, "URGENT", ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO")),
        (from_talkdesk_priority, "MEDIUM", ("URGENT", "HIGH", "NORMAL", "LOW")),
        (from_datadog_priority, "P6", ("P1", "P2", "P3", "P4", "P5", "NOT_DEFINED")),
        (from_tines_priority, "", ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO")),
        (from_tines_priority, None, ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO")),
        (from_datadog_priority, 1, ("P1", "P2", "P3", "P4", "P5", "NOT_DEFINED")),
        (from_talkdesk_priority, " HIGH", ("URGENT", "HIGH", "NORMAL", "LOW")),
    ],
)
def test_unknown_vendor_values_are_refused_with_what_is_allowed(from_, value, allowed):
    with pytest.raises(VocabularyError) as caught:
        from_(value)
    error = caught.value
    assert isinstance(error, ValueError)  # so callers catching ValueError turn it into a 422
    assert (error.value, error.allowed) == (value, allowed)
    assert error.field == "priority"


@pytest.mark.parametrize("to", [to_tines_priority, to_talkdesk_priority, to_datadog_priority])
@pytest.mark.parametrize("value", ["P0", "P6", "p1", "", "none", []])
def test_unknown_casework_priorities_are_refused(to, value):
    with pytest.raises(VocabularyError) as caught:
        to(value)
    assert caught.value.field == "priority"
    assert caught.value.allowed == ("P1", "P2", "P3", "P4", "P5", "None")

