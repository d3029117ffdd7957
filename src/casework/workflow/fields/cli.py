"""`casework field list|add|update|remove PROJECT ...`: a project's custom fields from the command line.

casework.cli registers this app (`app.add_typer(field_app, name="field")`).
"""

import json
from typing import Annotated, Any

import typer

from casework import command_line as cli
from casework.workflow.fields import service
from casework.workflow.fields.schemas import FieldCreate, FieldUpdate, field_view

field_app = typer.Typer(help="Custom fields of a project.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (email); the first admin by default.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ProjectArg = Annotated[str, typer.Argument(metavar="PROJECT", help="Project key or id.")]
KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="The field's key.")]
OptionPairs = Annotated[
    list[str] | None, typer.Option("--option", help="ID=LABEL, repeat for each option of a select field.")
]
OptionsJson = Annotated[
    str | None,
    typer.Option("--options-json", help='The options as JSON: [{"id": "eu", "label": "Europe", "children": [...]}].'),
]
TYPES_HELP = (
    "text, long_text, number, decimal, boolean, toggle, date, datetime, url, select, multi_select, dependent_select "
    "or user."
)
DefaultValue = Annotated[
    str | None, typer.Option("--default", help="The default as JSON (a bare word is taken as a string).")
]


@field_app.command("list")
def field_list(project: ProjectArg, as_email: AsUser = None, json_output: JsonFlag = False) -> None:
    """List the project's fields, inactive ones too."""
    fields = cli.run(lambda s: service.list_fields(s, cli.acting_user(s, as_email), project), write=False)
    _show([field_view(f) for f in fields], json_output)


@field_app.command("add")
def field_add(
    project: ProjectArg,
    key: KeyArg,
    label: Annotated[str, typer.Option()],
    field_type: Annotated[str, typer.Option("--type", help=TYPES_HELP)],
    description: Annotated[str | None, typer.Option(help="What the field is for.")] = None,
    required_to_close: Annotated[bool, typer.Option("--required-to-close")] = False,
    option: OptionPairs = None,
    options_json: OptionsJson = None,
    default: DefaultValue = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Define it inactive.")] = False,
    owner: Annotated[str, typer.Option(help="casework or kibana.")] = "casework",
    position: Annotated[int | None, typer.Option(min=0)] = None,
    as_email: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Define a field of the project."""
    values: dict[str, Any] = {
        "key": key,
        "label": label,
        "description": description,
        "type": field_type,
        "required_to_close": required_to_close,
        "options": _options(option, options_json) or [],
        "active": not inactive,
        "owner": owner,
        "position": position,
    }
    if default is not None:
        values["default"] = _json_or_text(default)
    data = cli.validated(FieldCreate, **values)
    field = cli.run(lambda s: service.create_field(s, cli.acting_user(s, as_email), project, data))
    _show([field_view(field)], json_output, single=True)


@field_app.command("update")
def field_update(
    project: ProjectArg,
    key: KeyArg,
    label: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option(help="What the field is for.")] = None,
    required_to_close: Annotated[bool | None, typer.Option("--required-to-close/--not-required-to-close")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    option: OptionPairs = None,
    options_json: OptionsJson = None,
    default: DefaultValue = None,
    no_default: Annotated[bool, typer.Option("--no-default", help="Remove the default.")] = False,
    position: Annotated[int | None, typer.Option(min=0)] = None,
    as_email: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Change a field; what is not given stays. Key, type and owner never change."""
    given = {
        "label": label,
        "description": description,
        "required_to_close": required_to_close,
        "active": active,
        "position": position,
    }
    values: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
    options = _options(option, options_json)
    if options is not None:
        values["options"] = options
    if no_default and default is not None:
        cli.fail("give --default or --no-default, not both")
    if no_default:
        values["default"] = None
    elif default is not None:
        values["default"] = _json_or_text(default)
    data = cli.validated(FieldUpdate, **values)
    field = cli.run(lambda s: service.update_field(s, cli.acting_user(s, as_email), project, key, data))
    _show([field_view(field)], json_output, single=True)


@field_app.command("remove")
def field_remove(project: ProjectArg, key: KeyArg, as_email: AsUser = None) -> None:
    """Delete a field no case holds a value of (deactivate it otherwise: update --inactive)."""
    cli.run(lambda s: service.delete_field(s, cli.acting_user(s, as_email), project, key))
    cli.out.print(f"field {key} removed", markup=False, highlight=False)


def _options(pairs: list[str] | None, as_json: str | None) -> list[Any] | None:
    if pairs and as_json is not None:
        cli.fail("give --option or --options-json, not both")
    if as_json is not None:
        try:
            parsed = json.loads(as_json)
        except ValueError:
            cli.fail("--options-json is not valid JSON")
        return parsed if isinstance(parsed, list) else cli.fail("--options-json must be a JSON list")
    if not pairs:
        return None
    options = []
    for pair in pairs:
        option_id, sep, label = pair.partition("=")
        if not sep:
            cli.fail(f"--option {pair}: expected ID=LABEL")
        options.append({"id": option_id, "label": label})
    return options


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _show(views: list[dict[str, Any]], json_output: bool, single: bool = False) -> None:
    if json_output:
        cli.print_json(views[0] if single else views)
        return
    columns = ["key", "label", "type", "required_to_close", "active", "owner", "position"]
    cli.print_table("fields", columns, [[view[c] for c in columns] for view in views])
