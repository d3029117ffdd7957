"""`casework sla show|set PROJECT`: the same policy set and rules as /projects/{ref}/slas, from the shell (see
tests/test_cli.py for how the CLI is run)."""

from casework.app import create_app
from tests.test_cli import Cli, api_call, casework, empty_url, table_columns  # noqa: F401  (fixtures)


def policy(sla_type: str, priority: str | None, target: int, pause: bool = False) -> dict[str, object]:
    return {"sla_type": sla_type, "priority": priority, "target_seconds": target, "pause_when_pending": pause}


def test_sla_show_starts_empty_with_a_warning_at_75_percent(casework: Cli) -> None:
    assert casework.json("sla", "show", "CASE") == {"warning_percent": 75, "policies": []}
    output = casework.ok("sla", "show", "case").stdout
    assert "75%" in output and table_columns(output) == []


def test_sla_set_takes_several_policies_with_units_pauses_and_no_priority(casework: Cli) -> None:
    saved = casework.json(
        "sla", "set", "CASE",
        "--policy", "completion:none:2d",
        "--policy", "response:P1:15m:pause",
        "--policy", "response:p2:4h",
        "--policy", "completion:P1:3600",
        "--policy", "Response:None:90s:PAUSE",
    )
    assert saved == {
        "warning_percent": 75,
        "policies": [
            policy("response", "P1", 900, pause=True),
            policy("response", "P2", 4 * 3600),
            policy("response", None, 90, pause=True),
            policy("completion", "P1", 3600),
            policy("completion", None, 2 * 86400),
        ],
    }
    assert casework.json("sla", "show", "CASE") == saved


def test_sla_show_prints_a_table_with_targets_in_their_largest_unit(casework: Cli) -> None:
    casework.ok("sla", "set", "CASE", "--policy", "response:P1:5400:pause", "--policy", "completion:none:86400",
                "--policy", "completion:P3:61", "--warning-percent", "80")
    output = casework.ok("sla", "show", "CASE").stdout
    assert table_columns(output) == ["responsecompletioncompletion", "P1P3none", "90m61s1d", "yesnono"]
    assert "80%" in output


def test_sla_set_replaces_the_whole_set(casework: Cli) -> None:
    casework.ok("sla", "set", "CASE", "--policy", "response:P1:1h", "--policy", "completion:P1:1d")
    saved = casework.json("sla", "set", "CASE", "--policy", "completion:P2:2h")
    assert saved["policies"] == [policy("completion", "P2", 7200)]


def test_a_warning_percent_alone_keeps_the_policies(casework: Cli) -> None:
    first = casework.json("sla", "set", "CASE", "--policy", "response:P1:1h:pause", "--policy", "completion:none:1d")
    changed = casework.json("sla", "set", "CASE", "--warning-percent", "50")
    assert changed == {**first, "warning_percent": 50}
    with_policies = casework.json("sla", "set", "CASE", "--policy", "response:P2:2h", "--warning-percent", "60")
    assert with_policies == {"warning_percent": 60, "policies": [policy("response", "P2", 7200)]}


def test_sla_set_clear_removes_every_policy(casework: Cli) -> None:
    casework.ok("sla", "set", "CASE", "--policy", "response:P1:1h", "--warning-percent", "90")
    assert casework.json("sla", "set", "CASE", "--clear") == {"warning_percent": 90, "policies": []}
    assert casework.json("sla", "show", "CASE")["policies"] == []


def test_bad_policies_fail_with_one_error_line_and_change_nothing(casework: Cli) -> None:
    before = casework.json("sla", "set", "CASE", "--policy", "response:P1:1h")
    bad = [
        ("policies.0.sla_type: ", ["--policy", "resolution:P1:1h"]),
        ("policies.1.priority: ", ["--policy", "response:P2:1h", "--policy", "response:P9:1h"]),
        ("policies.0.target_seconds: ", ["--policy", "response:P1:4x"]),
        ("policies.0: ", ["--policy", "response:P1"]),
        ("policies.0: ", ["--policy", "response:P1:1h:later"]),
        ("warning_percent: ", ["--warning-percent", "0"]),
        ("warning_percent: ", ["--policy", "response:P1:1h", "--warning-percent", "101"]),
    ]
    for prefix, options in bad:
        assert casework.error("sla", "set", "CASE", *options).startswith(f"error: {prefix}"), options
    line = casework.error("sla", "set", "CASE", "--policy", "response:P1:1h", "--policy", "response:p1:2h")
    assert line.startswith("error: policies.1: ") and "item 0" in line
    assert "--policy" in casework.error("sla", "set", "CASE")
    assert "--clear" in casework.error("sla", "set", "CASE", "--clear", "--policy", "response:P1:1h")
    assert casework.json("sla", "show", "CASE") == before


def test_every_bad_target_form_is_refused(casework: Cli) -> None:
    for target in ["4x", "-5", "1.5h", "h", "", "1 h 2m"]:
        line = casework.error("sla", "set", "CASE", "--policy", f"response:P1:{target}")
        assert line.startswith("error: policies.0.target_seconds: "), (target, line)
    for target in ["59", "0m", "366d"]:
        line = casework.error("sla", "set", "CASE", "--policy", f"response:P1:{target}")
        assert line.startswith("error: policies.0.target_seconds: "), (target, line)


def test_an_unknown_project_is_not_found(casework: Cli) -> None:
    assert "not found" in casework.error("sla", "show", "NOPE")
    assert "not found" in casework.error("sla", "set", "NOPE", "--policy", "response:P1:1h")
    assert "not found" in casework.error("sla", "set", "NOPE", "--warning-percent", "50")


def test_only_admins_and_managers_set_policies_and_anyone_reads_them(casework: Cli) -> None:
    casework.ok("user", "add", "--email", "ann@example.org", "--name", "Ann", "--role", "agent")
    casework.ok("user", "add", "--email", "mia@example.org", "--name", "Mia", "--role", "manager")
    assert "agent" in casework.error("sla", "set", "CASE", "--policy", "response:P1:1h", "--as", "ann@example.org")
    assert "agent" in casework.error("sla", "set", "CASE", "--warning-percent", "50", "--as", "ann@example.org")
    assert casework.json("sla", "show", "CASE", "--as", "ann@example.org") == {"warning_percent": 75, "policies": []}
    saved = casework.json("sla", "set", "CASE", "--policy", "response:P1:1h", "--as", "mia@example.org")
    assert casework.json("sla", "show", "CASE", "--as", "ann@example.org") == saved


async def test_what_the_cli_sets_is_what_the_api_returns(casework: Cli) -> None:
    saved = casework.json("sla", "set", "CASE", "--policy", "response:P2:30m:pause", "--policy", "completion:none:3d",
                          "--warning-percent", "60")
    answer = await api_call(casework.url, casework.admin_token, "GET", "/projects/CASE/slas")
    assert answer.status_code == 200, answer.text
    assert answer.json() == saved


def test_the_warning_range_is_the_same_in_both_commands_and_the_api(casework: Cli) -> None:
    document = create_app().openapi()["components"]["schemas"]
    for name, key in (("ProjectUpdate", "sla_warning_percent"), ("SlaPolicySet", "warning_percent")):
        [number, _null] = document[name]["properties"][key]["anyOf"]
        assert (number["minimum"], number["maximum"]) == (1, 99)
        assert "1..99" in document[name]["properties"][key]["description"]
    for command, option in (("sla", "set"), ("project", "settings")):
        flag = "--warning-percent" if command == "sla" else "--sla-warning-percent"
        help_text = " ".join(casework.ok(command, option, "--help").stdout.split())
        assert "1..99" in help_text and "1..100" not in help_text, help_text
        assert "warning_percent" in casework.error(command, option, "CASE", flag, "100")
        assert casework.ok(command, option, "CASE", flag, "99")
    assert casework.json("sla", "show", "CASE")["warning_percent"] == 99
