"""How Datadog's clients say who they are: `DD-API-KEY` with `DD-APPLICATION-KEY`, or `Authorization: Bearer`.

In Datadog the API key names the organisation and the application key the user acting; here the application key is
a casework API token, which names both. The API key must be sent all the same, as Datadog requires it, but it is
not a secret of casework's: its value is not checked."""

from starlette.requests import Request

from casework.credentials import CredentialReader, Credentials, bearer, first_of
from casework.errors import Unauthenticated
from casework.i18n import _

API_KEY_HEADER = "DD-API-KEY"
APPLICATION_KEY_HEADER = "DD-APPLICATION-KEY"


def _present(request: Request, name: str) -> str | None:
    value = request.headers.get(name)
    if value is None:
        return None
    if not value.strip():
        raise Unauthenticated(_("the {header} header is empty", header=name))
    return value.strip()


def datadog_keys(request: Request) -> Credentials | None:
    """The application key as the token, when the request carries Datadog's keys (both are required)."""
    api_key = _present(request, API_KEY_HEADER)
    application_key = _present(request, APPLICATION_KEY_HEADER)
    if api_key is None and application_key is None:
        return None
    if application_key is None:
        raise Unauthenticated(_("the {header} header is missing", header=APPLICATION_KEY_HEADER))
    if api_key is None:
        raise Unauthenticated(_("the {header} header is missing", header=API_KEY_HEADER))
    return Credentials(application_key)


read_credentials: CredentialReader = first_of(datadog_keys, bearer)
