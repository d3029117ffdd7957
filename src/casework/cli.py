"""The `casework` command: serve, migrate, and the everyday admin tasks. Each command calls a service."""

import dataclasses
import os
import sys
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

import orjson
import typer
from sqlalchemy.orm import Session

from casework import __version__
from casework import seed as seeding
from casework.activity.records import ActivityRecord
from casework.auth import service as auth
from casework.auth.models import User
from casework.auth.schemas import TokenCreate, TokenRead, UserCreate, UserRead, UserUpdate
from casework.bootstrap import bootstrap_if_empty
from casework.cases import search
from casework.cases import service as cases
from casework.cases.records import CaseRecord
from casework.cases.schemas import CaseCreate, CaseFilter, case_view
from casework.command_line import (
    AsUser,
    JsonFlag,
    WorkspaceOption,
    acting_user,
    chosen_workspace,
    database,
    load_settings,
    out,
    print_json,
    print_table,
    run,
    validated,
    workspace_option,
)
from casework.db import migrate as migrations
from casework.db.base import rfc3339, utcnow
from casework.db.database import Database
from casework.logs import configure_logging
from casework.oauth.cli import oauth_client_app
from casework.projects import service as projects
from casework.workflow import cli as workflow_cli
from casework.workflow.fields.cli import field_app
from casework.workflow.slas import worker as sla_worker
from casework.workflow.slas.cli import sla_app

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"casework {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    workspace: WorkspaceOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """casework: a self-hosted case-management server."""
    chosen_workspace.set(workspace)


user_app = typer.Typer(help="Users of a workspace.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
workspace_app = typer.Typer(help="Workspaces of the database.", no_args_is_help=True)
case_app = typer.Typer(help="Cases.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(workspace_app, name="workspace")
app.add_typer(case_app, name="case")
app.add_typer(workflow_cli.status_app, name="status")
app.add_typer(workflow_cli.transitions_app, name="transitions")
app.add_typer(workflow_cli.type_app, name="type")
app.add_typer(workflow_cli.project_app, name="project")
app.add_typer(field_app, name="field")
app.add_typer(sla_app, name="sla")
app.add_typer(oauth_client_app, name="oauth-client")


def _prepare(db: Database) -> Any:
    migrations.upgrade(db.engine)
    return db.run_sync(bootstrap_if_empty, load_settings().bootstrap_token)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (serve does this too)."""
    with database() as db:
        migrations.upgrade(db.engine)
    out.print("database is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default CASEWORK_HOST.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Default CASEWORK_PORT.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help="Default CASEWORK_WORKERS.")] = None,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not run the SLA worker in the server.")] = False,
) -> None:
    """Migrate, create the first workspace and admin on an empty database, then serve HTTP (with the SLA worker)."""
    from casework import supervisor

    if no_worker:
        # Read by create_app in every server process.
        os.environ["CASEWORK_SLA_WORKER"] = "false"
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with database() as db:
        created = _prepare(db)
    url = f"http://{host or settings.host}:{port or settings.port}"
    if created is not None:
        out.print(f"First start: created the admin {created.admin_email}. Its API token, shown only this once:")
        out.print(f"  {created.token}", markup=False, highlight=False)
        out.print(f"  curl -H 'Authorization: Bearer {created.token}' {url}/api/v1/me", markup=False, highlight=False)
    else:
        out.print(f"casework on {url}; for an API token: casework token create (or POST /api/v1/tokens)")
    configure_logging(settings.log_level, settings.access_log, settings.log_format)
    workers = workers or settings.workers
    options = {
        "host": host or settings.host,
        "port": port or settings.port,
        "workers": workers,
        "access_log": settings.access_log,
        "log_level": settings.log_level,
        "timeout_worker_healthcheck": settings.worker_healthcheck_timeout,
    }
    if workers > 1:
        sys.stdout.flush()
        supervised = orjson.dumps({**options, "log_format": settings.log_format}).decode()
        os.execv(sys.executable, [sys.executable, "-m", "casework.supervisor", supervised])
    supervisor.run(options)


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="One pass over the due clocks, then exit.")] = False,
    interval: Annotated[
        float | None, typer.Option(min=0.1, help="Seconds between passes. Default CASEWORK_SLA_WORKER_INTERVAL.")
    ] = None,
) -> None:
    """Write the SLA warning and exceeded entries as case clocks cross them (serve runs this too)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.access_log, settings.log_format)
    with database() as db:
        if once:
            out.print(f"{sla_worker.run_once(db)} SLA entries written")
            return
        try:
            sla_worker.run_forever(db, interval or settings.sla_worker_interval)
        except KeyboardInterrupt:
            pass


@app.command("seed-data")
def seed_data(
    cases: Annotated[int, typer.Option(min=1, help="How many cases.")] = 200,
    workspace: Annotated[
        str | None, typer.Option(help="Fill this existing workspace (id or name), in a new DEMO project.")
    ] = None,
    workspace_name: Annotated[str, typer.Option(help="Name of the new workspace.")] = "Demo workspace",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    comments_per_case_max: Annotated[int, typer.Option(min=0, help="Comments of the busiest cases.")] = 50,
    alerts: Annotated[int | None, typer.Option(min=0, help="Alerts in total; one per case by default.")] = None,
    json: JsonFlag = False,
) -> None:
    """Fill a workspace with realistic cases, comments and alerts, for demos and benchmarks: by default a new
    workspace, whose admin token is printed; with --workspace, a new project of an existing one."""
    ref = workspace or workspace_option()
    with database() as db:
        migrations.upgrade(db.engine)
        workspace_id = db.run_sync(projects.find_workspace_id, ref, write=False) if ref else None
    options = seeding.SeedOptions(cases, workspace_name, seed, comments_per_case_max, alerts, workspace_id=workspace_id)
    step = max(options.batch, cases // 10)

    def progress(done: int, rows: dict[str, int], elapsed: float) -> None:
        if not json and (done % step < options.batch or done == cases):
            total = sum(rows.values())
            out.print(f"{done:,}/{cases:,} cases, {total:,} rows, {elapsed:.1f} s ({total / elapsed:,.0f} rows/s)")
            # Shown as it happens also when the output goes to a pipe or a file.
            sys.stdout.flush()

    with database() as db:
        result = seeding.seed(db, options, progress)
    if json:
        print_json(dataclasses.asdict(result) | {"workspace_id": str(result.workspace_id)})
        return
    total = sum(result.rows.values())
    out.print(", ".join(f"{table} {count:,}" for table, count in result.rows.items()))
    out.print(f"seeded {total:,} rows in {result.seconds:.1f} s ({total / result.seconds:,.0f} rows/s)")
    out.print(f"busiest cases: {', '.join(result.hot_cases)}; a case without comments: {result.quiet_case}")
    if result.token is None:
        out.print(f"workspace {result.workspace_id}, project {result.project_key}")
        return
    out.print(f"workspace {result.workspace_id}; admin token, shown only now:")
    out.print(result.token, markup=False, highlight=False)


@workspace_app.command("list")
def workspace_list(json: JsonFlag = False) -> None:
    """List the database's workspaces (choose one with `casework --workspace ID-or-name ...`)."""
    rows = [
        {"id": str(w.id), "name": w.name, "created_at": rfc3339(w.created_at)}
        for w in run(projects.list_workspaces, write=False)
    ]
    if json:
        print_json(rows)
        return
    print_table("workspaces", ["id", "name", "created_at"], [list(row.values()) for row in rows])


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="admin, manager, agent, reviewer or viewer.")] = "agent",
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Add a user to the workspace."""
    data = validated(UserCreate, email=email, name=name, role=role)
    user = run(lambda s: auth.create_user(s, acting_user(s, as_email), data))
    _show_users([user], json, single=True)


@user_app.command("list")
def user_list(as_email: AsUser = None, json: JsonFlag = False) -> None:
    """List the workspace's users."""
    _show_users(run(lambda s: auth.list_users(s, acting_user(s, as_email)), write=False), json)


@user_app.command("deactivate")
def user_deactivate(email: str, as_email: AsUser = None, json: JsonFlag = False) -> None:
    """Deactivate a user: their tokens stop working at once; the workspace keeps at least one active admin."""
    _update_user(email, UserUpdate(active=False), as_email, json)


@user_app.command("activate")
def user_activate(email: str, as_email: AsUser = None, json: JsonFlag = False) -> None:
    """Activate a deactivated user again."""
    _update_user(email, UserUpdate(active=True), as_email, json)


@user_app.command("role")
def user_role(
    email: str,
    role: Annotated[str, typer.Argument(help="admin, manager, agent, reviewer or viewer.")],
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Change a user's role."""
    _update_user(email, validated(UserUpdate, role=role), as_email, json)


def _update_user(email: str, data: UserUpdate, as_email: str | None, json: bool) -> None:
    def work(session: Session) -> User:
        actor = acting_user(session, as_email)
        return auth.update_user(session, actor, auth.find_user_by_email(session, actor.workspace_id, email).id, data)

    _show_users([run(work)], json, single=True)


def _show_users(users: list[User], json: bool, single: bool = False) -> None:
    rows = [UserRead.model_validate(u).model_dump(mode="json") for u in users]
    if json:
        print_json(rows[0] if single else rows)
        return
    print_table(
        "users",
        ["id", "email", "name", "role", "active"],
        [[r["id"], r["email"], r["name"], r["role"], r["active"]] for r in rows],
    )


@token_app.command("create")
def token_create(
    user: Annotated[str | None, typer.Option(help="Owner's email; the acting user by default.")] = None,
    name: Annotated[str, typer.Option()] = "cli",
    scope: Annotated[
        list[str] | None, typer.Option(help="Repeat for several; cases:read and cases:write by default.")
    ] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1)] = None,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Create an API token; its secret is printed once."""

    def work(session: Session) -> tuple[Any, str]:
        actor = acting_user(session, as_email)
        owner_id = auth.find_user_by_email(session, actor.workspace_id, user).id if user else None
        expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
        data = validated(
            TokenCreate, name=name, user_id=owner_id, scopes=scope or ["cases:read", "cases:write"], expires_at=expires
        )
        return auth.create_token(session, actor, data)

    token, secret = run(work)
    created = TokenRead.model_validate(token).model_dump(mode="json") | {"token": secret}
    if json:
        print_json(created)
        return
    out.print(f"token {created['id']} ({', '.join(created['scopes'])}); the secret, shown only now:")
    out.print(secret, markup=False, highlight=False)


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option(help="Only this user's tokens (email).")] = None,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """List API tokens (never their secrets)."""

    def work(session: Session) -> list[Any]:
        actor = acting_user(session, as_email)
        owner = auth.find_user_by_email(session, actor.workspace_id, user).id if user else None
        return auth.list_tokens(session, actor, owner)

    rows = [TokenRead.model_validate(t).model_dump(mode="json") for t in run(work, write=False)]
    if json:
        print_json(rows)
        return
    columns = ["id", "name", "prefix", "scopes", "expires_at", "revoked_at", "last_used_at"]
    print_table("tokens", columns, [[r[c] if c != "scopes" else " ".join(r[c]) for c in columns] for r in rows])


@token_app.command("revoke")
def token_revoke(token_id: uuid.UUID, as_email: AsUser = None, json: JsonFlag = False) -> None:
    """Revoke an API token at once."""
    token = run(lambda s: auth.revoke_token(s, acting_user(s, as_email), token_id))
    if json:
        print_json(TokenRead.model_validate(token).model_dump(mode="json"))
        return
    out.print(f"token {token.id} revoked")


@case_app.command("create")
def case_create(
    title: Annotated[str, typer.Option()],
    description: Annotated[str, typer.Option()] = "",
    priority: Annotated[str | None, typer.Option(help="P1..P5.")] = None,
    severity: Annotated[str, typer.Option(help="low, medium, high or critical.")] = "low",
    tag: Annotated[list[str] | None, typer.Option(help="Repeat for several.")] = None,
    project: Annotated[str | None, typer.Option(help="Project key or id.")] = None,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Create a case."""
    data = validated(
        CaseCreate,
        title=title,
        description=description,
        priority=priority,
        severity=severity,
        tags=tag or [],
        project=project,
    )
    case = run(lambda s: cases.create_case(s, acting_user(s, as_email), data))
    _show_cases([case], json, single=True)


@case_app.command("list")
def case_list(
    status: Annotated[list[str] | None, typer.Option(help="open, in_progress or closed; repeat for several.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """List cases, most recently updated first."""
    filters = validated(CaseFilter, status=status or [])
    page = run(lambda s: search.list_cases(s, acting_user(s, as_email), filters, limit=limit), write=False)
    _show_cases(page.items, json)


# Entries of the activity log `case show` prints under the case.
LATEST_ACTIVITY = 10


@case_app.command("show")
def case_show(ref: str, as_email: AsUser = None, json: JsonFlag = False) -> None:
    """Show one case by id or key: its fields, description, SLA clocks, counts and latest activity (--json: the
    case as the API answers it)."""

    def work(session: Session) -> tuple[CaseRecord, list[ActivityRecord], dict[uuid.UUID, Any]]:
        actor = acting_user(session, as_email)
        case = cases.get_case(session, actor, ref)
        entries = [] if json else cases.latest_activity(session, actor, ref, LATEST_ACTIVITY)
        people = {case.author_id, *case.assignees, *(e.actor_id for e in entries if e.actor_id)}
        return case, entries, auth.user_records(session, actor, people)

    case, entries, people = run(work, write=False)
    if json:
        print_json(case_view(case))
        return
    _print_whole_case(case, entries, people)


def _print_whole_case(case: CaseRecord, entries: list[ActivityRecord], people: dict[uuid.UUID, Any]) -> None:
    def who(user_id: uuid.UUID | None) -> str:
        return people[user_id].email if user_id in people else str(user_id or "system")

    def when(moment: datetime | None) -> str | None:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None

    counts = case.counts
    facts: list[list[Any]] = [
        ["status", f"{case.status_name} ({case.status})"],
        ["priority", case.priority], ["severity", case.severity], ["type", case.type],
        ["assignees", ", ".join(who(a) for a in case.assignees) or "nobody"], ["tags", ", ".join(case.tags)],
        ["author", who(case.author_id)], ["created", when(case.created_at)], ["updated", when(case.updated_at)],
        ["due", when(case.due_date)],
        ["closed", case.closed_at and f"{when(case.closed_at)} ({case.resolution or 'no resolution'})"],
        ["counts", f"{counts.comments} comments, {counts.alerts} alerts, {counts.files} files, {counts.tasks_open} "
                   f"open and {counts.tasks_done} done tasks, {counts.links} links, {counts.insights} insights"],
        *([name, str(value)] for name, value in case.fields.items()),
        ["version", case.version],
    ]  # fmt: skip
    print_table(f"{case.key}: {case.title}", ["field", "value"], [row for row in facts if row[1] not in (None, "")])
    out.print(case.description or "(no description)", markup=False, highlight=False)
    if case.slas:
        print_table("SLA", ["clock", "target s", "elapsed s", "remaining s", "state"], [
            [sla.sla_type, sla.target_seconds, sla.current_time_seconds, sla.remaining_time_seconds,
             "exceeded" if sla.exceeded else "paused" if sla.paused else f"{sla.percent_elapsed:.0f}% elapsed"]
            for sla in case.slas
        ])  # fmt: skip
    print_table("latest activity", ["when", "who", "action", "changed"], [
        # A creation sets every field: only later entries list what they changed.
        [when(e.created_at), who(e.actor_id), e.action, "" if e.action == "created" else ", ".join(e.changes)]
        for e in entries
    ])  # fmt: skip


def _show_cases(items: list[CaseRecord], json: bool, single: bool = False) -> None:
    views = [case_view(c) for c in items]
    if json:
        print_json(views[0] if single else views)
        return
    columns = ["key", "title", "status", "priority", "severity", "tags", "updated_at"]
    print_table("cases", columns, [[v[c] if c != "tags" else ", ".join(v[c]) for c in columns] for v in views])
