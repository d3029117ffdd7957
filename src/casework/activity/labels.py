"""The label of every action the activity log records, in the reader's language.

record() refuses an action missing here, so a new kind of entry cannot reach the log without its label.
"""

from casework.i18n import Message, _, translate

ACTION_LABELS: dict[str, Message] = {
    # The case itself
    "created": _("Case created"),
    "updated": _("Case updated"),
    "status_changed": _("Status changed"),
    "assigned": _("Assignees changed"),
    "closed": _("Case closed"),
    "closure_conditions_overridden": _("Closure conditions overridden"),
    "archived": _("Case archived"),
    "restored": _("Case restored"),
    "case_deleted": _("Case deleted"),
    "moved": _("Case moved to another project"),
    # Its content
    "commented": _("Comment added"),
    "comment_edited": _("Comment edited"),
    "comment_deleted": _("Comment deleted"),
    "task_added": _("Task added"),
    "task_updated": _("Task updated"),
    "task_completed": _("Task completed"),
    "task_reopened": _("Task reopened"),
    "task_deleted": _("Task deleted"),
    "tasks_reordered": _("Tasks reordered"),
    "file_added": _("File added"),
    "file_deleted": _("File deleted"),
    "alerts_attached": _("Alerts attached"),
    "alert_detached": _("Alert detached"),
    "alerts_replaced": _("Alerts replaced"),
    "alerts_detached": _("Alerts detached"),
    "insights_added": _("Insights added"),
    "insights_removed": _("Insights removed"),
    "blocks_added": _("Blocks added"),
    "block_updated": _("Block updated"),
    "block_deleted": _("Block deleted"),
    "linked": _("Link added"),
    "unlinked": _("Link removed"),
    "watcher_added": _("Watcher added"),
    "watcher_removed": _("Watcher removed"),
    # The review flow (the action log)
    "action_comment": _("Comment added to the action log"),
    "override_requested": _("Override requested"),
    "override_accepted": _("Override accepted"),
    "override_refused": _("Override refused"),
    "override_cancelled": _("Override cancelled"),
    # The SLA worker
    "sla_warning": _("SLA at risk"),
    "sla_exceeded": _("SLA exceeded"),
}


class UnlabelledAction(ValueError):
    """A programming error: the code tried to log an action that ACTION_LABELS does not name."""

    def __init__(self, action: str) -> None:
        super().__init__(f"activity action {action!r} has no label in casework.activity.labels.ACTION_LABELS")


def check_action(action: str) -> None:
    if action not in ACTION_LABELS:
        raise UnlabelledAction(action)


def action_label(action: str, language: str) -> str:
    """An entry written before its action was renamed or dropped keeps its code as its label."""
    label = ACTION_LABELS.get(action)
    return action if label is None else translate(label, language)
