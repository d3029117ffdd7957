"""`casework status|transitions|type|project settings`: a project's workflow configuration from the shell.

Each command calls the same service as the API, as the CLI's acting user (`--as`, the first admin by default).
Statuses and types are named by id or name, projects by id or key. casework.cli registers these apps.
"""

from typing import Annotated, Any

import orjson
import typer

from casework.cases import configuration
from casework.command_line import acting_user, fail, out, print_json, print_table, run, validated
from casework.i18n import DEFAULT_LANGUAGE
from casework.projects import service as projects
from casework.projects.models import Project
from casework.projects.schemas import SLA_WARNING_PERCENT_HELP, ProjectRead, ProjectUpdate, WorkflowSettings
from casework.workflow.case_types import service as case_types
from casework.workflow.case_types.models import CaseType
from casework.workflow.case_types.schemas import CaseTypeCreate, CaseTypeUpdate, case_type_view
from casework.workflow.statuses import service as statuses
from casework.workflow.statuses.models import CaseStatus
from casework.workflow.statuses.schemas import (
    StatusCreate,
    StatusUpdate,
    TransitionsUpdate,
    status_view,
    transitions_view,
)

status_app = typer.Typer(help="A project's statuses.", no_args_is_help=True)
transitions_app = typer.Typer(help="The status transitions a project allows.", no_args_is_help=True)
type_app = typer.Typer(help="A project's case types.", no_args_is_help=True)
project_app = typer.Typer(help="Projects.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (email); the first admin by default.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ProjectArg = Annotated[str, typer.Argument(metavar="PROJECT", help="Project key or id.")]
StatusArg = Annotated[str, typer.Argument(metavar="STATUS", help="Status id or name.")]
TypeArg = Annotated[str, typer.Argument(metavar="TYPE", help="Type id or name.")]
Colour = Annotated[str | None, typer.Option(help="#RRGGBB.")]
Position = Annotated[int | None, typer.Option(help="Lists go by position.")]
Group = Annotated[str | None, typer.Option(help="open, in_progress or closed.")]
Category = Annotated[str | None, typer.Option(help="new, open, pending, on_hold, resolved or closed.")]
Prefill = Annotated[
    str | None, typer.Option(help='JSON, e.g. \'{"priority": "P2", "tags": ["mail"]}\'; replaces the whole prefill.')
]


def say(text: str) -> None:
    out.print(text, markup=False, highlight=False)


def _given(**values: Any) -> dict[str, Any]:
    """The options the user gave: an absent option changes nothing."""
    return {name: value for name, value in values.items() if value is not None}


def _json_option(name: str, text: str | None) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        fail(f"{name}: not valid JSON")


# Statuses


@status_app.command("list")
def status_list(project: ProjectArg, as_email: AsUser = None, json: JsonFlag = False) -> None:
    """List the project's statuses by position."""
    rows = run(lambda s: statuses.list_statuses(s, acting_user(s, as_email), project), write=False)
    _show_statuses(rows, json)


@status_app.command("add")
def status_add(
    project: ProjectArg,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    group: Annotated[str, typer.Option(help="open, in_progress or closed.")],
    category: Annotated[str, typer.Option(help="new, open, pending, on_hold, resolved or closed.")],
    colour: Colour = None,
    position: Position = None,
    default: Annotated[bool, typer.Option("--default", help="Make it its group's default.")] = False,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Add a status to the project."""
    data = validated(
        StatusCreate,
        **_given(name=name, group=group, category=category, colour=colour, position=position, is_default=default),
    )
    status = run(lambda s: statuses.create_status(s, acting_user(s, as_email), project, data))
    _show_statuses([status], json, single=True)


@status_app.command("update")
def status_update(
    project: ProjectArg,
    status: StatusArg,
    name: Annotated[str | None, typer.Option()] = None,
    colour: Colour = None,
    position: Position = None,
    group: Group = None,
    category: Category = None,
    default: Annotated[
        bool | None, typer.Option("--default/--no-default", help="Make it (or stop it being) its group's default.")
    ] = None,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Change a status; only the options given change."""
    data = validated(
        StatusUpdate,
        **_given(name=name, colour=colour, position=position, group=group, category=category, is_default=default),
    )
    changed = run(lambda s: configuration.update_status(s, acting_user(s, as_email), project, status, data))
    _show_statuses([changed], json, single=True)


@status_app.command("remove")
def status_remove(project: ProjectArg, status: StatusArg, as_email: AsUser = None) -> None:
    """Delete a status no case holds and that is no group's default, with its transitions."""
    run(lambda s: configuration.delete_status(s, acting_user(s, as_email), project, status))
    say(f"status {status} removed")


def _show_statuses(rows: list[CaseStatus], json: bool, single: bool = False) -> None:
    views = [status_view(s, DEFAULT_LANGUAGE) for s in rows]
    if json:
        print_json(views[0] if single else views)
        return
    columns = ["id", "name", "group", "category", "is_default", "colour", "position"]
    print_table("statuses", columns, [[v[c] for c in columns] for v in views])


# Transitions


@transitions_app.command("show")
def transitions_show(project: ProjectArg, as_email: AsUser = None, json: JsonFlag = False) -> None:
    """Show the moves the project allows and whether it restricts moves to them."""
    _show_transitions(run(lambda s: statuses.get_transitions(s, acting_user(s, as_email), project), write=False), json)


@transitions_app.command("set")
def transitions_set(
    project: ProjectArg,
    moves: Annotated[
        list[str] | None,
        typer.Argument(metavar="FROM:TO...", help="Each allowed move, its statuses by id, name or group."),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Allow no move at all (give no FROM:TO).")] = False,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Replace every allowed move, e.g. `casework transitions set SEC New:Open "Open:In progress"`."""
    if not moves and not clear:
        fail("give FROM:TO moves, or --clear to allow none")
    if moves and clear:
        fail("--clear takes no FROM:TO moves")
    pairs = []
    for index, move in enumerate(moves or []):
        source, colon, target = move.partition(":")
        if not colon:
            fail(f"transitions.{index}: {move!r} is not FROM:TO")
        pairs.append({"from": source, "to": target})
    data = validated(TransitionsUpdate, transitions=pairs)
    _show_transitions(run(lambda s: statuses.set_transitions(s, acting_user(s, as_email), project, data)), json)


def _show_transitions(result: tuple[bool, list[Any], list[CaseStatus]], json: bool) -> None:
    view = transitions_view(*result)
    if json:
        print_json(view)
        return
    rows = [[t["from"]["name"], t["to"]["name"]] for t in view["transitions"]]
    print_table("transitions", ["from", "to"], rows)
    restricted = "restricted to these" if view["restrict_transitions"] else "not restricted"
    say(f"moves are {restricted} (casework project settings PROJECT --restrict-transitions)")


# Case types


@type_app.command("list")
def type_list(project: ProjectArg, as_email: AsUser = None, json: JsonFlag = False) -> None:
    """List the project's case types, STANDARD first."""
    _show_types(run(lambda s: case_types.list_types(s, acting_user(s, as_email), project), write=False), json)


@type_app.command("add")
def type_add(
    project: ProjectArg,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    description: Annotated[str | None, typer.Option()] = None,
    prefill: Prefill = None,
    active: Annotated[bool, typer.Option("--active/--inactive")] = True,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Add a case type to the project."""
    data = validated(
        CaseTypeCreate,
        **_given(name=name, description=description, prefill=_json_option("prefill", prefill), active=active),
    )
    _show_types([run(lambda s: case_types.create_type(s, acting_user(s, as_email), project, data))], json, single=True)


@type_app.command("update")
def type_update(
    project: ProjectArg,
    case_type: TypeArg,
    name: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    prefill: Prefill = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Change a case type; only the options given change."""
    data = validated(
        CaseTypeUpdate,
        **_given(name=name, description=description, prefill=_json_option("prefill", prefill), active=active),
    )
    changed = run(lambda s: configuration.update_type(s, acting_user(s, as_email), project, case_type, data))
    _show_types([changed], json, single=True)


@type_app.command("remove")
def type_remove(project: ProjectArg, case_type: TypeArg, as_email: AsUser = None) -> None:
    """Delete a case type no case holds (deactivate one that cases hold)."""
    run(lambda s: case_types.delete_type(s, acting_user(s, as_email), project, case_type))
    say(f"type {case_type} removed")


def _show_types(rows: list[CaseType], json: bool, single: bool = False) -> None:
    views = [case_type_view(t) for t in rows]
    if json:
        print_json(views[0] if single else views)
        return
    rows_shown = [[v["id"], v["name"], v["active"], v["builtin"], orjson.dumps(v["prefill"]).decode()] for v in views]
    print_table("types", ["id", "name", "active", "builtin", "prefill"], rows_shown)


# Project workflow settings


@project_app.command("settings")
def project_settings(
    project: ProjectArg,
    restrict_transitions: Annotated[
        bool | None,
        typer.Option("--restrict-transitions/--no-restrict-transitions", help="Allow only the listed moves."),
    ] = None,
    resolution_required: Annotated[
        bool | None,
        typer.Option("--resolution-required/--no-resolution-required", help="Resolving or closing needs a resolution."),
    ] = None,
    closed_read_only: Annotated[
        bool | None,
        typer.Option("--closed-read-only/--no-closed-read-only", help="Closed cases change only by reopening."),
    ] = None,
    comments_on_closed: Annotated[
        bool | None,
        typer.Option("--comments-on-closed/--no-comments-on-closed", help="Comments stay open on closed cases."),
    ] = None,
    sla_warning_percent: Annotated[int | None, typer.Option(help=SLA_WARNING_PERCENT_HELP)] = None,
    closure_conditions: Annotated[
        str | None, typer.Option(help='JSON list of {"name", "formula"}; replaces the project\'s conditions.')
    ] = None,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Show the project's workflow settings, or change those given."""
    changes = _given(
        restrict_transitions=restrict_transitions,
        resolution_required=resolution_required,
        closed_read_only=closed_read_only,
        comments_on_closed=comments_on_closed,
        sla_warning_percent=sla_warning_percent,
        closure_conditions=_json_option("closure_conditions", closure_conditions),
    )
    if changes:
        data = validated(ProjectUpdate, **changes)
        shown = run(lambda s: configuration.update_project(s, acting_user(s, as_email), project, data))
    else:
        shown = run(lambda s: projects.get_project(s, acting_user(s, as_email), project), write=False)
    _show_settings(shown, json)


def _show_settings(project: Project, json: bool) -> None:
    view = ProjectRead.model_validate(project).model_dump(mode="json")
    settings = {key: view[key] for key in WorkflowSettings.model_fields}
    if json:
        print_json({"key": view["key"], **settings})
        return
    rows = [[key, orjson.dumps(v).decode() if isinstance(v, list) else v] for key, v in settings.items()]
    print_table(f"{view['key']} workflow settings", ["setting", "value"], rows)
