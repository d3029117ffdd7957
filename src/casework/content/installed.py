"""The kinds of case content GET /cases/{ref}?include= may name, in the order its documentation lists them: the
one place that names them all."""

from casework.alerts.router import CONTENT as ALERTS
from casework.attachments.router import CONTENT as FILES
from casework.blocks.router import CONTENT as BLOCKS
from casework.comments.router import CONTENT as COMMENTS
from casework.content.kind import ContentKind
from casework.insights.router import CONTENT as INSIGHTS
from casework.links.router import CONTENT as LINKS
from casework.tasks.router import CONTENT as TASKS
from casework.watchers.router import CONTENT as WATCHERS

CONTENT_KINDS: tuple[ContentKind, ...] = (COMMENTS, ALERTS, INSIGHTS, FILES, TASKS, LINKS, BLOCKS, WATCHERS)
