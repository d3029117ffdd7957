"""`casework sla show|set PROJECT`: a project's SLA policies from the shell, through the same service as the API.

casework.cli registers this app (`app.add_typer(sla_app, name="sla")`).
"""

import re
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from casework import command_line as cli
from casework.cases import configuration
from casework.i18n import _
from casework.projects.models import Project
from casework.projects.schemas import SLA_WARNING_PERCENT_HELP
from casework.workflow.slas import service
from casework.workflow.slas.models import SlaPolicy
from casework.workflow.slas.schemas import SlaPolicySet, policy_set_view

sla_app = typer.Typer(help="SLA policies of a project.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (email); the first admin by default.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ProjectArg = Annotated[str, typer.Argument(metavar="PROJECT", help="Project key or id.")]
PolicyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--policy",
        metavar="TYPE:PRIORITY:TARGET[:pause]",
        help="TYPE response or completion; PRIORITY P1..P5 or none; TARGET in seconds or with a unit (90m, 4h, 2d); "
        "`:pause` stops the clock while the case is pending or on hold. Repeat for each policy.",
    ),
]

# Largest first: a target is shown in the largest unit that divides it.
UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_TARGET = re.compile(r"(\d+)([dhms]?)")


@sla_app.command("show")
def sla_show(project: ProjectArg, as_email: AsUser = None, json: JsonFlag = False) -> None:
    """Show the project's SLA policies and the share of a target at which the worker warns."""
    _show(*cli.run(lambda s: service.get_policies(s, cli.acting_user(s, as_email), project), write=False), json=json)


@sla_app.command("set")
def sla_set(
    project: ProjectArg,
    policy: PolicyOption = None,
    warning_percent: Annotated[int | None, typer.Option(help=SLA_WARNING_PERCENT_HELP)] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove every policy (give no --policy).")] = False,
    as_email: AsUser = None,
    json: JsonFlag = False,
) -> None:
    """Replace the project's policies, e.g. `casework sla set SEC --policy response:P1:15m --policy completion:none:2d`.

    With only --warning-percent the policies stay as they are."""
    if not policy and not clear and warning_percent is None:
        cli.fail(_("give --policy, --clear or --warning-percent"))
    if policy and clear:
        cli.fail(_("--clear takes no --policy"))
    policies = [_parsed(index, text) for index, text in enumerate(policy or [])]
    data = cli.validated(SlaPolicySet, policies=policies, warning_percent=warning_percent)
    keep = not policy and not clear

    def work(session: Session) -> tuple[Project, list[SlaPolicy]]:
        actor = cli.acting_user(session, as_email)
        given = data
        if keep:
            # Only the warning share changes: the current set is given back as it is.
            current = policy_set_view(*service.get_policies(session, actor, project))["policies"]
            given = SlaPolicySet.model_validate({"policies": current, "warning_percent": warning_percent})
        return configuration.replace_sla_policies(session, actor, project, given)

    _show(*cli.run(work), json=json)


def _parsed(index: int, text: str) -> dict[str, Any]:
    """One --policy as the API's policy item; the type and priority are checked by SlaPolicySet."""
    parts = text.split(":")
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3].lower() != "pause"):
        cli.fail(_("policies.{index}: {text} is not TYPE:PRIORITY:TARGET[:pause]", index=index, text=repr(text)))
    sla_type, priority, target = parts[:3]
    return {
        "sla_type": sla_type.lower(),
        "priority": None if priority.lower() == "none" else priority.upper(),
        "target_seconds": _seconds(index, target),
        "pause_when_pending": len(parts) == 4,
    }


def _seconds(index: int, text: str) -> int:
    match = _TARGET.fullmatch(text.strip().lower())
    if match is None:
        message = _("{text} is not a number of seconds or a duration such as 90m, 4h or 2d", text=repr(text))
        cli.fail(_("policies.{index}.target_seconds: {message}", index=index, message=message))
    number, unit = match.groups()
    return int(number) * UNITS[unit or "s"]


def _duration(seconds: int) -> str:
    unit, size = next((u, n) for u, n in UNITS.items() if seconds % n == 0)
    return f"{seconds // size}{unit}"


def _pauses(pause_when_pending: bool) -> str:
    return _("yes") if pause_when_pending else _("no")


def _show(project: Project, policies: list[SlaPolicy], json: bool) -> None:
    view = policy_set_view(project, policies)
    if json:
        cli.print_json(view)
        return
    rows = [
        [p["sla_type"], p["priority"] or "none", _duration(p["target_seconds"]), _pauses(p["pause_when_pending"])]
        for p in view["policies"]
    ]
    cli.print_table(_("{key} SLA policies", key=project.key), ["type", "priority", "target", "pauses"], rows)
    message = _("the worker warns at {percent}% of a target", percent=view["warning_percent"])
    cli.out.print(message, markup=False, highlight=False)
