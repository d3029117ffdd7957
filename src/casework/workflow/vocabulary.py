"""Mapping tables between casework's priority/severity vocabulary and each vendor's.

casework priorities are "P1".."P5" or None (no priority). Kibana's severities are casework's verbatim: the Kibana
dialect keeps its own vocabulary (casework.dialects.kibana.wire).
Every table lives here, once, so that a change in a vendor's vocabulary is a one-line edit with a test beside it.

`to_<vendor>_*` takes a casework value and returns the vendor's; `from_<vendor>_*` does the reverse. Both raise
`VocabularyError` for a value outside the vocabulary: inbound, the caller turns it into a 422; outbound it means a
bug, since casework values are validated on the way in.

Documented asymmetries (the only cases where from(to(x)) != x):
- Tines has no "no priority"; a case created without one shows LOW, so None is sent as LOW and reads back as P4.
- Talkdesk has four levels, so P5 is sent as LOW (the least urgent it has) and reads back as P4.
- Talkdesk has no "no priority" either; a ticket created without one is NORMAL, so None is sent as NORMAL and
  reads back as P3.
"""

from collections.abc import Mapping
from types import MappingProxyType

from casework.workflow.case_values import PRIORITIES


class VocabularyError(ValueError):
    """A value outside a vocabulary; carries what a 422 needs to say which field and what would have been accepted."""

    def __init__(self, field: str, value: object, allowed: tuple[str, ...]) -> None:
        super().__init__(f"{field}: {value!r} is not one of {', '.join(allowed)}")
        self.field = field
        self.value = value
        self.allowed = allowed


def _frozen(table: dict[str | None, str]) -> Mapping[str | None, str]:
    return MappingProxyType(table)


def _inverse(table: Mapping[str | None, str]) -> Mapping[str, str | None]:
    # Where two casework values share a vendor value (the asymmetries above), the first one in the table wins, so
    # tables list the value that should come back first.
    inverse: dict[str, str | None] = {}
    for ours, theirs in table.items():
        inverse.setdefault(theirs, ours)
    return MappingProxyType(inverse)


def _to(table: Mapping[str | None, str], value: str | None, field: str, allowed: tuple[str, ...]) -> str:
    try:
        return table[value]
    except (KeyError, TypeError):  # TypeError: an unhashable value
        raise VocabularyError(field, value, allowed) from None


def _from(inverse: Mapping[str, str | None], value: object, field: str, *, case_insensitive: bool) -> str | None:
    allowed = tuple(inverse)
    if not isinstance(value, str):
        raise VocabularyError(field, value, allowed)
    key = value.upper() if case_insensitive else value
    if key not in inverse:
        raise VocabularyError(field, value, allowed)
    return inverse[key]


_PRIORITY_CHOICES = (*PRIORITIES, "None")

# Tines: five levels, one for one; vendor values are upper case but compared case-insensitively, as Tines itself
# writes them in either case (API vs UI).
TINES_PRIORITY = _frozen({"P1": "CRITICAL", "P2": "HIGH", "P3": "MEDIUM", "P4": "LOW", "P5": "INFO", None: "LOW"})
_TINES_PRIORITY_BACK = _inverse(TINES_PRIORITY)

# Talkdesk: four levels; see the asymmetries in the module docstring. Compared case-insensitively, like Tines.
TALKDESK_PRIORITY = _frozen({"P1": "URGENT", "P2": "HIGH", "P3": "NORMAL", "P4": "LOW", "P5": "LOW", None: "NORMAL"})
_TALKDESK_PRIORITY_BACK = _inverse(TALKDESK_PRIORITY)

# Datadog uses our labels verbatim plus NOT_DEFINED; its enum is exact, so no case folding.
DATADOG_PRIORITY = _frozen({**{p: p for p in PRIORITIES}, None: "NOT_DEFINED"})
_DATADOG_PRIORITY_BACK = _inverse(DATADOG_PRIORITY)


def to_tines_priority(priority: str | None) -> str:
    return _to(TINES_PRIORITY, priority, "priority", _PRIORITY_CHOICES)


def from_tines_priority(value: object) -> str | None:
    return _from(_TINES_PRIORITY_BACK, value, "priority", case_insensitive=True)


def to_talkdesk_priority(priority: str | None) -> str:
    return _to(TALKDESK_PRIORITY, priority, "priority", _PRIORITY_CHOICES)


def from_talkdesk_priority(value: object) -> str | None:
    return _from(_TALKDESK_PRIORITY_BACK, value, "priority", case_insensitive=True)


def to_datadog_priority(priority: str | None) -> str:
    return _to(DATADOG_PRIORITY, priority, "priority", _PRIORITY_CHOICES)


def from_datadog_priority(value: object) -> str | None:
    return _from(_DATADOG_PRIORITY_BACK, value, "priority", case_insensitive=False)
