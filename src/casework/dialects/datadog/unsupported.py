"""The routes of Datadog's case API that casework does not serve: aggregate, bulk, count, links, views, automation
and notification rules, project favorites, maintenance windows, and the Jira, ServiceNow, notebook and incident
relationships. Each answers 404 in the format Datadog declares for it (never a 5xx, which the client would retry),
once the caller is authenticated; they are left out of the dialect's API description."""

from fastapi import APIRouter

from casework.dialects.datadog.routing import OBJECTS, datadog_router
from casework.dialects.dialect import DialectActor
from casework.errors import DomainError, NotFound
from casework.i18n import _


class NotServed(NotFound):
    """A route of Datadog's API casework does not serve."""

    def __init__(self) -> None:
        DomainError.__init__(self, _("casework does not serve this operation of Datadog's API"))
        self.resource = "operation"


# (methods, path), as the official client calls them.
CASES = "/api/v2/cases"
PROJECT = f"{CASES}/projects/{{project_id}}"
MESSAGE_ROUTES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("GET",), f"{CASES}/count"),
    (("POST",), f"{CASES}/aggregate"),
    (("POST",), f"{CASES}/bulk"),
    (("GET", "POST"), f"{CASES}/link"),
    (("DELETE",), f"{CASES}/link/{{link_id}}"),
    (("GET", "POST"), f"{CASES}/views"),
    (("GET", "PUT", "DELETE"), f"{CASES}/views/{{view_id}}"),
    (("GET",), f"{CASES}/projects/favorites"),
    (("POST", "DELETE"), f"{PROJECT}/favorites"),
    (("GET", "POST"), f"{PROJECT}/notification_rules"),
    (("PUT", "DELETE"), f"{PROJECT}/notification_rules/{{notification_rule_id}}"),
    (("GET", "POST"), f"{PROJECT}/rules"),
    (("GET", "PUT", "DELETE"), f"{PROJECT}/rules/{{rule_id}}"),
    (("POST",), f"{PROJECT}/rules/{{rule_id}}/enable"),
    (("POST",), f"{PROJECT}/rules/{{rule_id}}/disable"),
    (("GET", "POST"), "/api/v2/maintenance_windows"),
    (("PUT", "DELETE"), "/api/v2/maintenance_windows/{maintenance_window_id}"),
)
RELATIONSHIP_ROUTES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("POST",), f"{CASES}/{{case_id}}/relationships/incidents"),
    (("POST", "PATCH", "DELETE"), f"{CASES}/{{case_id}}/relationships/jira_issues"),
    (("POST",), f"{CASES}/{{case_id}}/relationships/servicenow_tickets"),
    (("POST",), f"{CASES}/{{case_id}}/relationships/notebook"),
)


async def not_served(actor: DialectActor) -> None:
    raise NotServed()


def _router(routes: tuple[tuple[tuple[str, ...], str], ...], router: APIRouter) -> APIRouter:
    for methods, path in routes:
        router.add_api_route(path, not_served, methods=list(methods), include_in_schema=False)
    return router


router = _router(MESSAGE_ROUTES, datadog_router())
relationships_router = _router(RELATIONSHIP_ROUTES, datadog_router(OBJECTS))
