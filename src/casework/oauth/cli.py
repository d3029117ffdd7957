"""`casework oauth-client create|list|revoke|rotate-key`: OAuth2 clients from the shell, through the same services
as /api/v1/oauth-clients.

casework.cli registers this app (`app.add_typer(oauth_client_app, name="oauth-client")`).
"""

import uuid
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from casework import command_line as cli
from casework.auth.service import find_user_by_email
from casework.i18n import _
from casework.oauth import keys, service
from casework.oauth.models import OAuthClient
from casework.oauth.schemas import OAuthClientCreate, OAuthClientRead

oauth_client_app = typer.Typer(help="OAuth2 clients (client credentials grant).", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (email); the first admin by default.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
COLUMNS = ["id", "client_id", "name", "user_id", "scopes", "created_at", "revoked_at"]


@oauth_client_app.command("create")
def client_create(
    name: Annotated[str, typer.Option()],
    scope: Annotated[list[str], typer.Option(help="cases:read, cases:write or admin; repeat for several.")],
    user: Annotated[
        str | None, typer.Option(help="The user the client acts as (email); the acting admin by default.")
    ] = None,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Create a client; its secret is printed once."""

    def work(session: Session) -> tuple[OAuthClient, str]:
        actor = cli.acting_user(session, as_email)
        user_id = find_user_by_email(session, actor.workspace_id, user).id if user else None
        data = cli.validated(OAuthClientCreate, name=name, scopes=scope, user_id=user_id)
        return service.create_client(session, actor, data)

    client, secret = cli.run(work)
    created = _view(client) | {"client_secret": secret}
    if json:
        cli.print_json(created)
        return
    message = _(
        "client {client_id} ({scopes}); the secret, shown only now:",
        client_id=client.client_id,
        scopes=" ".join(client.scopes),
    )
    cli.out.print(message, markup=False, highlight=False)
    cli.out.print(secret, markup=False, highlight=False)


@oauth_client_app.command("list")
def client_list(as_email: AsUser = None, json: JsonFlag = False) -> None:
    """List the workspace's clients, revoked ones too (never their secrets)."""
    rows = [_view(c) for c in cli.run(lambda s: service.list_clients(s, cli.acting_user(s, as_email)), write=False)]
    if json:
        cli.print_json(rows)
        return
    cli.print_table(
        _("OAuth clients"), COLUMNS, [[" ".join(r[c]) if c == "scopes" else r[c] for c in COLUMNS] for r in rows]
    )


@oauth_client_app.command("revoke")
def client_revoke(
    client_id: Annotated[uuid.UUID, typer.Argument(metavar="ID")], as_email: AsUser = None, json: JsonFlag = False
) -> None:
    """Revoke a client at once: its access tokens stop working on their next request."""
    client = cli.run(lambda s: service.revoke_client(s, cli.acting_user(s, as_email), client_id))
    if json:
        cli.print_json(_view(client))
        return
    cli.out.print(_("OAuth client {id} revoked", id=str(client.id)), markup=False, highlight=False)


@oauth_client_app.command("rotate-key")
def rotate_key(json: JsonFlag = False) -> None:
    """Sign new access tokens with a new key; tokens signed before stay valid until they expire.

    The key serves every workspace: this is the server operator's command, with no API counterpart."""
    rotation = cli.run(keys.rotate)
    if json:
        cli.print_json({"key_id": str(rotation.key_id), "retired": rotation.retired, "deleted": rotation.deleted})
        return
    message = _(
        "new signing key {key_id}; {retired} key(s) retired, {deleted} expired key(s) deleted",
        key_id=str(rotation.key_id),
        retired=rotation.retired,
        deleted=rotation.deleted,
    )
    cli.out.print(message, markup=False, highlight=False)


def _view(client: OAuthClient) -> dict[str, Any]:
    return OAuthClientRead.model_validate(client).model_dump(mode="json")
