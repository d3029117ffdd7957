"""The statuses and type every new project starts with."""

from typing import NamedTuple

from casework.i18n import _


class DefaultStatus(NamedTuple):
    key: str
    name: str
    group: str
    category: str
    colour: str
    is_default: bool


# Names are English on purpose (they are how APIs name a status); their labels are translated (see LABELS).
DEFAULT_STATUSES = (
    DefaultStatus("new", "New", "open", "new", "#6B7280", False),
    DefaultStatus("open", "Open", "open", "open", "#2563EB", True),
    DefaultStatus("in_progress", "In progress", "in_progress", "open", "#D97706", True),
    DefaultStatus("pending", "Pending", "in_progress", "pending", "#7C3AED", False),
    DefaultStatus("on_hold", "On hold", "in_progress", "on_hold", "#9CA3AF", False),
    DefaultStatus("resolved", "Resolved", "closed", "resolved", "#16A34A", False),
    DefaultStatus("closed", "Closed", "closed", "closed", "#374151", True),
)

LABELS = {
    "new": _("New"),
    "open": _("Open"),
    "in_progress": _("In progress"),
    "pending": _("Pending"),
    "on_hold": _("On hold"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
}
